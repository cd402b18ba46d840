using System.Runtime.CompilerServices;
using UserEmu.Engine;
using Sig = UserEmu.Engine.Signals;

namespace UserEmu.Cpu.X86;

/// <summary>MXCSR bits and the SSE exception commit rule: sticky flags, masks, and SIGFPE for unmasked exceptions.</summary>
public static unsafe class Mxcsr
{
    /// <summary>Exception flags (bits 0..5); the matching mask bits sit 7 positions higher.</summary>
    public const uint IE = 1, DE = 2, ZE = 4, OE = 8, UE = 0x10, PE = 0x20;
    public const uint FlagMask = 0x3F;
    /// <summary>Exceptions detected before computing (they stop the instruction when unmasked).</summary>
    public const uint PreComputation = IE | DE | ZE;
    public const uint DAZ = 0x40, FTZ = 0x8000;
    public const int RcShift = 13;
    /// <summary>Rounding control values.</summary>
    public const int RoundNearest = 0, RoundDown = 1, RoundUp = 2, RoundZero = 3;
    public const uint Default = 0x1F80;
    /// <summary>Bits ldmxcsr/fxrstor accept (the MXCSR_MASK this CPU model reports in the fxsave image).</summary>
    public const uint Writable = FxsaveArea.MxcsrMask;

    public const int FPE_FLTDIV = 3, FPE_FLTOVF = 4, FPE_FLTUND = 5, FPE_FLTRES = 6, FPE_FLTINV = 7;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Rc(uint mxcsr) => (int)(mxcsr >> RcShift) & 3;

    /// <summary>Exception flags whose mask bit is clear.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Unmasked(uint mxcsr) => ~(mxcsr >> 7) & FlagMask;

    /// <summary>
    /// Records the exceptions an instruction detected (all lanes ORed) and reports whether it may write its result.
    /// An unmasked pre-computation exception sets only the pre-computation flags; otherwise every flag is set; an
    /// unmasked exception then raises SIGFPE before anything is written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Commit(Vcpu cpu, uint flags)
    {
        if (flags == 0) return;
        var s = cpu.State;
        uint mx = s->Mxcsr;
        uint unmasked = Unmasked(mx);
        uint pre = flags & PreComputation;
        if ((pre & unmasked) != 0) Raise(cpu, mx | pre);
        s->Mxcsr = mx | flags;
        if ((flags & unmasked) != 0) Raise(cpu, mx | flags);
    }

    /// <summary>Stores the flags and throws SIGFPE with the si_code Linux derives from MXCSR (set and unmasked flags, by priority).</summary>
    public static void Raise(Vcpu cpu, uint mx)
    {
        cpu.State->Mxcsr = mx;
        uint err = Unmasked(mx) & mx;
        int code = (err & IE) != 0 ? FPE_FLTINV
            : (err & ZE) != 0 ? FPE_FLTDIV
            : (err & OE) != 0 ? FPE_FLTOVF
            : (err & (DE | UE)) != 0 ? FPE_FLTUND
            : (err & PE) != 0 ? FPE_FLTRES : 0;
        throw new GuestSignalException(Sig.SIGFPE, code, cpu.State->Rip);
    }
}
