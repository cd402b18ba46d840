using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.Cpu.X86.X87;

namespace UserEmu.Frontend.X86;

/// <summary>MMX register access: MMn is the significand (bits 0..63) of x87 physical register Rn, whatever TOP is.</summary>
/// <remarks>
/// An MMX instruction first takes a pending x87 exception (#MF, <see cref="MmxEnter"/>), then does its memory loads,
/// then commits: TOP = 0 and every tag valid (<see cref="MmxCommit"/>), and each MMn it writes gets exponent and sign
/// all ones (<see cref="SetMm"/>). A faulting load changes nothing; a faulting store has already set TOP = 0 but not
/// the tags (measured on an Intel host; AMD Zen 5 leaves TOP too), so stores split the commit around the access. emms
/// marks every tag empty.
/// </remarks>
public sealed partial class X86Emitter
{
    static readonly int OffSt = CpuState.OffSt;
    static readonly int OffFpTop = CpuState.OffFpTop;
    static readonly int OffFtw = CpuState.OffFtwAbridged;

    /// <summary>Index 0..7 of an MMX register.</summary>
    public static int MmIndex(Register r)
    {
        int index = r - Register.MM0;
        // The state offset comes from this index: anything else would address past the x87 registers.
        if ((uint)index > 7) throw new InvalidOperationException($"{r} is not an MMX register");
        return index;
    }

    /// <summary>True if operand <paramref name="n"/> is an MMX register.</summary>
    public bool IsMm(int n) => IsReg(n) && Insn.GetOpRegister(n).IsMM();

    /// <summary>MMX register index of operand <paramref name="n"/>, which must be an MMX register.</summary>
    public int MmReg(int n) => MmIndex(Insn.GetOpRegister(n));

    /// <summary>The 64-bit value of MMn (no side effects: those come with <see cref="MmxCommit"/>).</summary>
    public ushort GetMm(int n) => B.LoadState(OffSt + n * 16, 8);

    /// <summary>Writes MMn: the significand, and all ones in bits 64..79 (exponent and sign) as the CPU does.</summary>
    public void SetMm(int n, ushort value)
    {
        B.StoreState(OffSt + n * 16, 8, value);
        B.StoreState(OffSt + n * 16 + 8, 2, B.Const(0xFFFF));
    }

    /// <summary>Operand <paramref name="n"/> as a 64-bit value: an MMX register, or <paramref name="bytes"/> bytes of memory (zero-extended, no alignment rule).</summary>
    public ushort MmSource(int n, int bytes = 8) => IsReg(n) ? GetMm(MmReg(n)) : B.Load(Ea(), bytes);

    /// <summary>Address after the last MMX instruction of this block that made the #MF check (0: none).</summary>
    ulong _mmxCheckedUpTo;

    /// <summary>
    /// The check every MMX instruction makes first: a pending unmasked x87 exception raises SIGFPE here. MMX
    /// instructions never change the status word, so an MMX instruction right after a checked one in the same block
    /// skips it (a helper call per instruction halves the speed of MMX loops).
    /// </summary>
    public void MmxEnter()
    {
        if (Pc != _mmxCheckedUpTo) HelperImm(MmxHelpers.CheckPending, 0, 0, B.Const(Pc));
        _mmxCheckedUpTo = NextPc;
    }

    /// <summary>The x87-to-MMX transition: TOP = 0 and all eight registers tagged valid (after the instruction's memory loads).</summary>
    public void MmxCommit()
    {
        MmxTopZero();
        MmxTagsValid();
    }

    /// <summary>The first half of the transition, which a store makes before its memory access.</summary>
    public void MmxTopZero() => B.StoreState(OffFpTop, 4, B.Const(0));

    /// <summary>The second half of the transition, which a store makes after its memory access.</summary>
    public void MmxTagsValid() => B.StoreState(OffFtw, 2, B.Const(0xFF));

    /// <summary>emms: TOP = 0 and all eight registers tagged empty.</summary>
    public void MmxEmpty()
    {
        B.StoreState(OffFpTop, 4, B.Const(0));
        B.StoreState(OffFtw, 2, B.Const(0));
    }
}
