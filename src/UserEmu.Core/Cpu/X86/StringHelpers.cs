using System.Numerics;
using System.Runtime.InteropServices;
using UserEmu.Engine;
using UserEmu.Memory;

namespace UserEmu.Cpu.X86;

/// <summary>The string instructions (movs, stos, lods, cmps, scas) with their REP forms, looping in C#.</summary>
/// <remarks>
/// Registers (RCX, RSI, RDI) and the compare flags are written to the state after every element, so when an
/// element faults the state shows exactly the iterations done and RIP still names the instruction: re-executing it
/// continues where it stopped, as on the CPU. Whole runs of rep movs/stos whose ranges are accessible are copied
/// or filled in one go when that cannot differ from the element-by-element result.
/// </remarks>
public static unsafe class StringHelpers
{
    /// <summary>The five string operations.</summary>
    public enum Op { Movs, Stos, Lods, Cmps, Scas }

    /// <summary>Repeat prefixes: none, REP/REPE (F3), REPNE (F2; a plain REP for movs/stos/lods).</summary>
    public const int RepNone = 0, RepE = 1, RepNe = 2;

    /// <summary>Source segment override: none, FS or GS (ES, the destination, has base 0 in 64-bit mode).</summary>
    public const int SegNone = 0, SegFs = 1, SegGs = 2;

    /// <summary>Largest run handled by one bulk copy or fill (bounds the page checks done before it).</summary>
    const ulong MaxBulkBytes = 1 << 20;

    /// <summary>The helper imm describing one string instruction.</summary>
    public static long Encode(Op op, int size, int rep, bool addr32, int seg) =>
        (int)op | BitOperations.Log2((uint)size) << 4 | rep << 8 | (addr32 ? 1 << 10 : 0) | seg << 12;

    /// <summary>A string instruction as its helper imm describes it (<see cref="Encode"/>).</summary>
    public readonly record struct Form(Op Op, int Size, int Rep, bool Addr32, int Seg)
    {
        public static Form Decode(long imm) =>
            new((Op)(imm & 0xf), 1 << (int)((imm >> 4) & 3), (int)((imm >> 8) & 3), (imm & (1 << 10)) != 0, (int)((imm >> 12) & 3));
    }

    /// <summary>Executes the string instruction described by <paramref name="imm"/> (see <see cref="Encode"/>).</summary>
    public static ulong Run(Vcpu cpu, ulong a, ulong b, long imm)
    {
        var (op, size, rep, addr32, seg) = Form.Decode(imm);
        var s = cpu.State;
        ulong segBase = seg == SegFs ? s->FsBase : seg == SegGs ? s->GsBase : 0;
        long step = (long)s->DfStep * size;
        ulong amask = addr32 ? 0xffff_ffffUL : ulong.MaxValue;
        if (rep == RepNone)
        {
            Element(cpu, op, size, step, amask, segBase);
            return 0;
        }
        bool compares = op is Op.Cmps or Op.Scas;
        if (addr32)
        {
            // As the host does: with 0x67, a repeated form writes ECX, and for movs/stos the pointers it
            // stores through, as 32-bit registers on entry, even when ECX is 0 or the first element faults.
            s->Gpr[CpuState.RCX] &= amask;
            if (op == Op.Movs) s->Gpr[CpuState.RSI] &= amask;
            if (op is Op.Movs or Op.Stos) s->Gpr[CpuState.RDI] &= amask;
        }
        // A fault in the middle of rep cmps/scas leaves RFLAGS as before the instruction (RCX/RSI/RDI show the
        // progress), as on this host.
        ulong entryFlags = compares ? LazyFlags.Rflags(s) : 0;
        try
        {
            while (true)
            {
                ulong count = s->Gpr[CpuState.RCX] & amask;
                if (count == 0) return 0;
                if (!addr32 && count > 1 && (op is Op.Movs or Op.Stos) && TryBulk(cpu, op, size, count, step, segBase)) continue;
                bool equal = Element(cpu, op, size, step, amask, segBase);
                s->Gpr[CpuState.RCX] = (count - 1) & amask;
                if (compares && equal != (rep == RepE)) return 0;
            }
        }
        catch (GuestFaultException) when (compares)
        {
            LazyFlags.SetRflags(s, entryFlags, LazyFlags.ArithMask);
            throw;
        }
    }

    static ulong Mask(int size) => size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;

    /// <summary>One element: memory first, then RSI/RDI and (for compares) flags. Returns whether a compare found equality.</summary>
    static bool Element(Vcpu cpu, Op op, int size, long step, ulong amask, ulong segBase)
    {
        var s = cpu.State;
        var mem = cpu.Memory;
        ulong rsi = s->Gpr[CpuState.RSI] & amask, rdi = s->Gpr[CpuState.RDI] & amask;
        ulong x, y;
        switch (op)
        {
            case Op.Movs:
                mem.Write(rdi, size, mem.Read(segBase + rsi, size));
                s->Gpr[CpuState.RSI] = (rsi + (ulong)step) & amask;
                s->Gpr[CpuState.RDI] = (rdi + (ulong)step) & amask;
                return false;
            case Op.Stos:
                mem.Write(rdi, size, s->Gpr[CpuState.RAX]);
                s->Gpr[CpuState.RDI] = (rdi + (ulong)step) & amask;
                return false;
            case Op.Lods:
                x = mem.Read(segBase + rsi, size);
                // lodsd writes EAX and so clears RAX's upper half; the narrower forms merge.
                ulong rax = s->Gpr[CpuState.RAX];
                s->Gpr[CpuState.RAX] = size >= 4 ? x : (rax & ~Mask(size)) | x;
                s->Gpr[CpuState.RSI] = (rsi + (ulong)step) & amask;
                return false;
            case Op.Cmps:
                // [RDI] first: when both operands fault, the host reports RDI's address (Cpu/CmpsOrderTests).
                y = mem.Read(rdi, size);
                x = mem.Read(segBase + rsi, size);
                s->Gpr[CpuState.RSI] = (rsi + (ulong)step) & amask;
                s->Gpr[CpuState.RDI] = (rdi + (ulong)step) & amask;
                break;
            default:
                x = s->Gpr[CpuState.RAX] & Mask(size);
                y = mem.Read(rdi, size);
                s->Gpr[CpuState.RDI] = (rdi + (ulong)step) & amask;
                break;
        }
        // cmps compares [RSI] with [RDI], scas the accumulator with [RDI]: flags of x - y.
        s->CcOp = (uint)LazyFlags.Op(CcKind.Sub, size);
        s->CcDst = (x - y) & Mask(size);
        s->CcSrc = y;
        return x == y;
    }

    /// <summary>
    /// Copies or fills a run of elements at once when both ranges are accessible and the element-by-element result
    /// equals a memmove (the destination does not lie ahead of the source in the copy direction); false otherwise.
    /// </summary>
    static bool TryBulk(Vcpu cpu, Op op, int size, ulong count, long step, ulong segBase)
    {
        var s = cpu.State;
        var mem = cpu.Memory;
        ulong n = Math.Min(count, MaxBulkBytes / (ulong)size);
        ulong len = n * (ulong)size;
        bool forward = step > 0;
        ulong rdi = s->Gpr[CpuState.RDI];
        ulong dstLo = forward ? rdi : rdi - (n - 1) * (ulong)size;
        if (dstLo > ulong.MaxValue - len || !mem.IsAccessible(dstLo, len, PageFlags.Write)) return false;
        if (op == Op.Stos)
        {
            Fill(mem.WriteSpan(dstLo, (int)len), s->Gpr[CpuState.RAX], size);
        }
        else
        {
            ulong rsi = segBase + s->Gpr[CpuState.RSI];
            ulong srcLo = forward ? rsi : rsi - (n - 1) * (ulong)size;
            if (srcLo > ulong.MaxValue - len || !mem.IsAccessible(srcLo, len, PageFlags.Read)) return false;
            bool hazard = forward ? dstLo > srcLo && dstLo < srcLo + len : dstLo < srcLo && dstLo + len > srcLo;
            if (hazard) return false;
            var src = new ReadOnlySpan<byte>(mem.Host(srcLo), (int)len);
            // WriteSpan also invalidates translated code in the destination pages.
            src.CopyTo(mem.WriteSpan(dstLo, (int)len));
            s->Gpr[CpuState.RSI] += (ulong)(step * (long)n);
        }
        s->Gpr[CpuState.RDI] = rdi + (ulong)(step * (long)n);
        s->Gpr[CpuState.RCX] -= n;
        return true;
    }

    static void Fill(Span<byte> dst, ulong value, int size)
    {
        switch (size)
        {
            case 1: dst.Fill((byte)value); break;
            case 2: MemoryMarshal.Cast<byte, ushort>(dst).Fill((ushort)value); break;
            case 4: MemoryMarshal.Cast<byte, uint>(dst).Fill((uint)value); break;
            default: MemoryMarshal.Cast<byte, ulong>(dst).Fill(value); break;
        }
    }
}
