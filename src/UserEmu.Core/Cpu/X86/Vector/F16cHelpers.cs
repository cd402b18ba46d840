using UserEmu.Engine;
using static UserEmu.Cpu.X86.VectorHelpers;

namespace UserEmu.Cpu.X86;

/// <summary>F16C: vcvtph2ps and vcvtps2ph on registers (memory operands are staged by the emitter), through <see cref="HalfFloat"/>.</summary>
[IR.VectorStateAndMxcsr]
public static unsafe class F16cHelpers
{
    static byte* Reg(Vcpu cpu, int index) => (byte*)cpu.State + CpuState.XmmOffset(index);

    /// <summary>imm: VecImm(dst, src, 0, 1 for the 256-bit form). Eight or four halves from the source's low bytes.</summary>
    public static ulong HalfToSingle(Vcpu cpu, ulong a, ulong b, long imm)
    {
        int n = Extra(imm) != 0 ? 8 : 4;
        ushort* s = (ushort*)Reg(cpu, Src(imm));
        uint* r = stackalloc uint[8];
        uint flags = 0;
        for (int i = 0; i < 8; i++) r[i] = i < n ? HalfFloat.ToSingle(s[i], ref flags) : 0;
        if (flags != 0) Mxcsr.Commit(cpu, flags);
        Buffer.MemoryCopy(r, Reg(cpu, Dst(imm)), 32, 32);
        return 0;
    }

    /// <summary>
    /// imm: VecImm(dst, src, imm8, 1 for the 256-bit source). The halves go to the low 8 or 16 bytes of dst, the rest
    /// zeroed; imm8 bit 2 selects MXCSR's rounding, else bits 1:0 are the rounding mode.
    /// </summary>
    public static ulong SingleToHalf(Vcpu cpu, ulong a, ulong b, long imm)
    {
        int n = Extra(imm) != 0 ? 8 : 4;
        int i8 = Imm8(imm);
        uint mx = cpu.State->Mxcsr;
        int rc = (i8 & 4) != 0 ? Mxcsr.Rc(mx) : i8 & 3;
        uint* s = (uint*)Reg(cpu, Src(imm));
        ushort* r = stackalloc ushort[16];
        uint flags = 0;
        for (int i = 0; i < 16; i++) r[i] = i < n ? HalfFloat.FromSingle(s[i], rc, mx, ref flags) : (ushort)0;
        if (flags != 0) Mxcsr.Commit(cpu, flags);
        byte* d = Reg(cpu, Dst(imm));
        Buffer.MemoryCopy(r, d, 32, 32);
        new Span<byte>(d + 16, 16).Clear();
        return 0;
    }
}
