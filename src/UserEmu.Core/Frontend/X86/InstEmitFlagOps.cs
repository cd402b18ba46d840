using Iced.Intel;
using UserEmu.Cpu.X86;

namespace UserEmu.Frontend.X86;

/// <summary>Direct flag manipulation: lahf, sahf, pushf, popf, clc, stc, cmc, cld, std.</summary>
static class InstEmitFlagOps
{
    /// <summary>Low byte of RFLAGS as lahf/sahf see it: SF, ZF, AF, PF, CF.</summary>
    const ulong LowFlags = LazyFlags.SF | LazyFlags.ZF | LazyFlags.AF | LazyFlags.PF | LazyFlags.CF;
    const ulong TF = 1UL << 8, NT = 1UL << 14, AC = 1UL << 18, ID = 1UL << 21;

    /// <summary>RFLAGS bits popf may change at CPL 3 with IOPL 0: the arithmetic flags, DF, NT, AC and ID.</summary>
    /// <remarks>
    /// IF, IOPL, RF, VM, VIF and VIP are silently kept, as on hardware. TF is writable on hardware, but UserEmu
    /// does not single-step, so it is kept clear rather than pretending to trap. AC is stored and read back
    /// but alignment is not checked.
    /// </remarks>
    public const ulong UserWritable = LazyFlags.ArithMask | LazyFlags.DF | NT | AC | ID;

    public static void Install(X86EmitterTable t)
    {
        t[Mnemonic.Lahf] = Lahf;
        t[Mnemonic.Sahf] = Sahf;
        t[Mnemonic.Pushf] = e => Pushf(e, 2);
        t[Mnemonic.Pushfq] = e => Pushf(e, 8);
        t[Mnemonic.Popf] = e => Popf(e, 2);
        t[Mnemonic.Popfq] = e => Popf(e, 8);
        t[Mnemonic.Clc] = e => e.SetEflags(e.B.AndImm(e.ComputeFlags(), ~(long)LazyFlags.CF));
        t[Mnemonic.Stc] = e => e.SetEflags(e.B.Or(e.ComputeFlags(), e.B.Const(LazyFlags.CF)));
        t[Mnemonic.Cmc] = e => e.SetEflags(e.B.Xor(e.ComputeFlags(), e.B.Const(LazyFlags.CF)));
        t[Mnemonic.Cld] = e => e.B.StoreState(CpuState.OffDfStep, 4, e.B.Const(1));
        t[Mnemonic.Std] = e => e.B.StoreState(CpuState.OffDfStep, 4, e.B.Const(-1));
    }

    static void Lahf(X86Emitter e)
    {
        // Bit 1 of RFLAGS always reads as 1.
        ushort v = e.B.Or(e.B.AndImm(e.ComputeFlags(), (long)LowFlags), e.B.Const(2));
        e.SetReg(Register.AH, v);
    }

    static void Sahf(X86Emitter e)
    {
        ushort ah = e.GetReg(Register.AH);
        ushort flags = e.ComputeFlags();
        e.SetEflags(e.MergeFlags(flags, LowFlags, e.B.AndImm(ah, (long)LowFlags)));
    }

    static void Pushf(X86Emitter e, int size)
    {
        ushort flags = e.HelperImm(FlagHelpers.ReadRflags, 0);
        e.Push(size == 8 ? flags : e.Trunc(flags, size), size);
    }

    static void Popf(X86Emitter e, int size)
    {
        ushort v = e.PeekStack(size, out ushort sp);
        e.CommitPop(sp);
        ulong mask = size == 8 ? UserWritable : UserWritable & 0xffff;
        e.HelperImm(FlagHelpers.WriteRflags, 0, v, e.B.Const(mask));
    }
}
