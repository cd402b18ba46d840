using System.Runtime.CompilerServices;
using UserEmu.Engine;
using static UserEmu.Cpu.X86.X87.X87Status;

namespace UserEmu.Cpu.X86.X87;

/// <summary>The x87 register stack in <see cref="CpuState"/>: ST(i) by TOP, tags, status-word updates and pending exceptions.</summary>
public static unsafe class X87Stack
{
    public static int Phys(CpuState* s, int i) => (s->FpTop + i) & 7;

    public static ref Float80 Slot(CpuState* s, int phys) => ref Unsafe.AsRef<Float80>(s->St + phys * 16);

    public static Float80 Get(CpuState* s, int i) => Slot(s, Phys(s, i));

    public static bool IsEmpty(CpuState* s, int i) => (s->FtwAbridged >> Phys(s, i) & 1) == 0;

    /// <summary>Writes ST(i) and marks it valid.</summary>
    public static void Set(CpuState* s, int i, Float80 v)
    {
        int p = Phys(s, i);
        Slot(s, p) = v;
        s->FtwAbridged |= (ushort)(1 << p);
    }

    /// <summary>Pushes: TOP-1, then writes the new ST(0).</summary>
    public static void Push(CpuState* s, Float80 v)
    {
        s->FpTop = (s->FpTop - 1) & 7;
        Set(s, 0, v);
    }

    /// <summary>Marks ST(0) empty and increments TOP (the register keeps its bits, as on hardware).</summary>
    public static void Pop(CpuState* s)
    {
        s->FtwAbridged &= (ushort)~(1 << s->FpTop);
        s->FpTop = (s->FpTop + 1) & 7;
    }

    /// <summary>Ors exception flags into FSW, sets C1 from <paramref name="flags"/> and recomputes ES/B.</summary>
    public static void Report(CpuState* s, int flags)
    {
        s->Fsw = (ushort)((s->Fsw & ~C1) | (flags & (Exceptions | SF | C1)));
        UpdateSummary(s);
    }

    /// <summary>ES and B follow "some raised exception is unmasked".</summary>
    public static void UpdateSummary(CpuState* s)
    {
        if ((s->Fsw & ~s->Fcw & Exceptions) != 0) s->Fsw |= ES | B;
        else s->Fsw &= unchecked((ushort)~(ES | B));
    }

    /// <summary>True if an exception in <paramref name="flags"/> that suppresses the result (IE, DE, ZE) is unmasked.</summary>
    public static bool Blocks(CpuState* s, int flags) => (flags & ~s->Fcw & (IE | DE | ZE)) != 0;

    /// <summary>
    /// Applies an operation's flags and tells whether its register result may be written: an unmasked invalid, denormal
    /// or zero-divide exception leaves the destination alone (and a denormal one stops the operation before any rounding).
    /// </summary>
    public static bool Commit(CpuState* s, int flags)
    {
        if ((flags & ~s->Fcw & DE) != 0 && (flags & IE) == 0) flags &= DE;
        Report(s, flags);
        return !Blocks(s, flags);
    }

    /// <summary>Stack underflow: IE and SF, C1 = 0. Returns whether the masked response (store indefinite) applies.</summary>
    public static bool Underflow(CpuState* s)
    {
        Report(s, IE | SF);
        return (s->Fcw & IE) != 0;
    }

    /// <summary>Stack overflow on a push: IE, SF, C1 = 1; when masked the indefinite is pushed.</summary>
    public static void Overflow(CpuState* s)
    {
        Report(s, IE | SF | C1);
        if ((s->Fcw & IE) != 0) Push(s, Float80.Indefinite);
    }

    /// <summary>A push that detects stack overflow (the next slot still valid). Returns false if the value was not pushed.</summary>
    public static bool TryPush(CpuState* s, Float80 v, int flags)
    {
        if ((s->FtwAbridged >> ((s->FpTop - 1) & 7) & 1) != 0)
        {
            Overflow(s);
            return false;
        }
        // A load completes even when its denormal operand raised an unmasked DE; only IE stops it.
        Report(s, flags);
        if ((flags & ~s->Fcw & IE) != 0) return false;
        Push(s, v);
        return true;
    }

    public const int FPE_FLTDIV = 3, FPE_FLTOVF = 4, FPE_FLTUND = 5, FPE_FLTRES = 6, FPE_FLTINV = 7;

    /// <summary>
    /// The check every waiting x87 instruction makes first: a pending unmasked exception raises SIGFPE (#MF) at this
    /// instruction, with the si_code Linux derives from the unmasked flags.
    /// </summary>
    public static void CheckPending(Vcpu cpu, ulong pc)
    {
        var s = cpu.State;
        if ((s->Fsw & ES) == 0) return;
        int err = s->Fsw & ~s->Fcw;
        int code = (err & IE) != 0 ? FPE_FLTINV : (err & ZE) != 0 ? FPE_FLTDIV : (err & OE) != 0 ? FPE_FLTOVF
            : (err & (UE | DE)) != 0 ? FPE_FLTUND : (err & PE) != 0 ? FPE_FLTRES : 0;
        // Linux delivers nothing for a spurious #MF (ES without an unmasked flag); the instruction then runs.
        if (code == 0) return;
        throw new GuestSignalException(Engine.Signals.SIGFPE, code, pc);
    }

    /// <summary>The full (two bits per register) tag word fnstenv/fnsave store: valid, zero, special or empty.</summary>
    public static ushort FullTagWord(CpuState* s)
    {
        int tw = 0;
        for (int p = 0; p < 8; p++)
        {
            int t;
            if ((s->FtwAbridged >> p & 1) == 0) t = 3;
            else
            {
                var v = Slot(s, p);
                if (v.Exp == Float80.MaxExp || v.IsDenormal || v.IsUnsupported) t = 2;
                else if (v.IsZero) t = 1;
                else t = 0;
            }
            tw |= t << (2 * p);
        }
        return (ushort)tw;
    }

    /// <summary>fninit: control word 0x37F, status and tags cleared, TOP 0.</summary>
    public static void Init(CpuState* s)
    {
        s->Fcw = 0x037F;
        s->Fsw = 0;
        s->FpTop = 0;
        s->FtwAbridged = 0;
        s->Fop = 0;
        s->FpIp = 0;
        s->FpDp = 0;
    }
}
