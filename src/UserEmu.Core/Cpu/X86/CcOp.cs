namespace UserEmu.Cpu.X86;

/// <summary>The last flag-setting operation, recorded instead of computing RFLAGS (QEMU's CC_OP); value = kind * 4 + log2(operand bytes).</summary>
/// <remarks>
/// CcDst is the result; CcSrc and CcSrc2 depend on the kind:
/// Add/Sub: CcSrc = second operand. Adc/Sbb: plus CcSrc2 = carry in. Inc/Dec: CcSrc = CF before the op.
/// Shl/Sar(Shr): CcSrc = the value shifted by count-1 (its edge bit is CF). Mul: CcSrc != 0 means CF=OF=1.
/// Eflags: CcSrc holds the flags themselves (CF,PF,AF,ZF,SF,OF at their RFLAGS positions).
/// </remarks>
public enum CcOp : uint
{
    Eflags = 0,
    Add8 = 4, Add16, Add32, Add64,
    Adc8 = 8, Adc16, Adc32, Adc64,
    Sub8 = 12, Sub16, Sub32, Sub64,
    Sbb8 = 16, Sbb16, Sbb32, Sbb64,
    Logic8 = 20, Logic16, Logic32, Logic64,
    Inc8 = 24, Inc16, Inc32, Inc64,
    Dec8 = 28, Dec16, Dec32, Dec64,
    Shl8 = 32, Shl16, Shl32, Shl64,
    Sar8 = 36, Sar16, Sar32, Sar64,
    Mul8 = 40, Mul16, Mul32, Mul64,
}

/// <summary>Kinds of <see cref="CcOp"/> (without the size).</summary>
public enum CcKind : uint
{
    Eflags = 0, Add = 1, Adc = 2, Sub = 3, Sbb = 4, Logic = 5, Inc = 6, Dec = 7, Shl = 8, Sar = 9, Mul = 10,
}

/// <summary>x86 condition codes in encoding order (the low nibble of Jcc/SETcc/CMOVcc).</summary>
public enum Cond
{
    O = 0, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G,
}
