using UserEmu.Engine;
using static UserEmu.Cpu.X86.VectorHelpers;

namespace UserEmu.Cpu.X86;

/// <summary>AVX/AVX2 element-wise memory access: masked loads and stores (vmaskmov, vpmaskmov) and gathers.</summary>
/// <remarks>Unselected elements are never accessed, so they cannot fault (the reason these instructions exist).</remarks>
public static unsafe class AvxMemoryHelpers
{
    static byte* Reg(Vcpu cpu, int index) => (byte*)cpu.State + CpuState.XmmOffset(index);

    /// <summary>Packs the extra field: element size (4 or 8), 256-bit width, store direction.</summary>
    public static int MaskExtra(int elementSize, bool ymm, bool store) => elementSize | (ymm ? 0x100 : 0) | (store ? 0x200 : 0);

    /// <summary>
    /// Masked load (dst = selected elements, others zero; every load before the register is written) or store
    /// (every selected element checked writable before any is written). imm: VecImm(data register, mask register, 0, <see cref="MaskExtra"/>).
    /// </summary>
    public static ulong MaskMove(Vcpu cpu, ulong ea, ulong b, long imm)
    {
        int extra = Extra(imm);
        int size = extra & 0xff;
        int n = ((extra & 0x100) != 0 ? 32 : 16) / size;
        byte* data = Reg(cpu, Dst(imm)), mask = Reg(cpu, Src(imm));
        var mem = cpu.Memory;
        if ((extra & 0x200) != 0)
        {
            for (int i = 0; i < n; i++)
                if ((mask[i * size + size - 1] & 0x80) != 0) mem.Check(ea + (ulong)(i * size), (ulong)size, write: true);
            for (int i = 0; i < n; i++)
            {
                if ((mask[i * size + size - 1] & 0x80) == 0) continue;
                ulong at = ea + (ulong)(i * size);
                if (size == 4) mem.Write32(at, *(uint*)(data + i * size));
                else mem.Write64(at, *(ulong*)(data + i * size));
            }
            return 0;
        }
        byte* r = stackalloc byte[32];
        new Span<byte>(r, 32).Clear();
        for (int i = 0; i < n; i++)
        {
            if ((mask[i * size + size - 1] & 0x80) == 0) continue;
            ulong at = ea + (ulong)(i * size);
            if (size == 4) *(uint*)(r + i * size) = mem.Read32(at);
            else *(ulong*)(r + i * size) = mem.Read64(at);
        }
        Buffer.MemoryCopy(r, data, 32, 32);
        return 0;
    }

    /// <summary>Packs the gather's extra field: mask register, data and index element sizes, 256-bit width.</summary>
    public static int GatherExtra(int mask, int dataSize, int indexSize, bool ymm) =>
        mask | (dataSize == 8 ? 0x100 : 0) | (indexSize == 8 ? 0x200 : 0) | (ymm ? 0x400 : 0);

    /// <summary>
    /// vgather*/vpgather*: element i (mask sign set) is loaded from base + index[i] * scale; each completed element
    /// updates the destination and clears its mask element, so a fault leaves the progress made, as hardware does.
    /// Then the mask is cleared and the bits above the elements zeroed. imm: VecImm(dst, index register, scale, <see cref="GatherExtra"/>).
    /// </summary>
    public static ulong Gather(Vcpu cpu, ulong baseEa, ulong b, long imm)
    {
        int extra = Extra(imm);
        int dataSize = (extra & 0x100) != 0 ? 8 : 4, indexSize = (extra & 0x200) != 0 ? 8 : 4;
        int n = ((extra & 0x400) != 0 ? 32 : 16) / Math.Max(dataSize, indexSize);
        byte* dst = Reg(cpu, Dst(imm)), index = Reg(cpu, Src(imm)), mask = Reg(cpu, extra & 0xff);
        ulong scale = (ulong)Imm8(imm);
        var mem = cpu.Memory;
        for (int i = 0; i < n; i++)
        {
            if ((mask[i * dataSize + dataSize - 1] & 0x80) == 0) continue;
            long idx = indexSize == 4 ? *(int*)(index + i * 4) : *(long*)(index + i * 8);
            ulong at = baseEa + (ulong)idx * scale;
            if (dataSize == 4) *(uint*)(dst + i * 4) = mem.Read32(at);
            else *(ulong*)(dst + i * 8) = mem.Read64(at);
            new Span<byte>(mask + i * dataSize, dataSize).Clear();
        }
        new Span<byte>(mask, 32).Clear();
        new Span<byte>(dst + n * dataSize, 32 - n * dataSize).Clear();
        return 0;
    }
}
