namespace UserEmu.Cpu.X86.X87;

/// <summary>Operations the x87 helpers perform, packed into the helper's imm by the frontend (see <see cref="X87Imm"/>).</summary>
public enum X87Op : byte
{
    // Arith: dest = dest op src (the R forms reverse the operands).
    Add, Mul, Sub, SubR, Div, DivR,
    // Compare: signaling (fcom, ficom, ftst) or quiet (fucom); CompareI/UCompareI set EFLAGS.
    Compare, UCompare, CompareI, UCompareI,
    // Load/Store
    Load, Store, StoreTrunc, LoadConst,
    // No operand (or ST(i))
    Chs, Abs, Sqrt, RoundInt, Examine, Scale, Extract, Rem, Rem1, Exchange, Free, IncStp, DecStp, Wait, Init, ClearEx, CMov,
    Sin, Cos, SinCos, Tan, Atan, F2xm1, Yl2x, Yl2xp1,
    // Control
    StoreSw, StoreSwAx, StoreCw, LoadCw, StoreEnv, LoadEnv, Save, Restore,
}

/// <summary>Kind of the source or destination operand of an x87 helper.</summary>
public enum X87Operand : byte
{
    St, M32Fp, M64Fp, M80Fp, M16Int, M32Int, M64Int, Bcd, Zero,
}

/// <summary>Packs and unpacks an x87 helper's imm: operation, operand kind, register index ST(i), destination and pops.</summary>
public readonly record struct X87Imm(X87Op Op, X87Operand Kind, int Index = 0, bool DestIsSti = false, int Pops = 0, bool Waits = true)
{
    public long Pack() => (long)Op | (long)Kind << 8 | (long)(Index & 7) << 16 | (DestIsSti ? 1L << 19 : 0) | (long)Pops << 20
        | (Waits ? 1L << 22 : 0);

    public static X87Imm Unpack(long imm) => new((X87Op)(imm & 0xFF), (X87Operand)((imm >> 8) & 0xFF), (int)(imm >> 16) & 7,
        (imm >> 19 & 1) != 0, (int)(imm >> 20) & 3, (imm >> 22 & 1) != 0);

    public static X87Op OpOf(long imm) => (X87Op)(imm & 0xFF);
    public static X87Operand KindOf(long imm) => (X87Operand)((imm >> 8) & 0xFF);
    public static int IndexOf(long imm) => (int)(imm >> 16) & 7;
    public static bool DestIsStiOf(long imm) => (imm >> 19 & 1) != 0;
    public static int PopsOf(long imm) => (int)(imm >> 20) & 3;
    public static bool WaitsOf(long imm) => (imm >> 22 & 1) != 0;

    /// <summary>Size in bytes of a memory operand kind.</summary>
    public static int Size(X87Operand k) => k switch
    {
        X87Operand.M32Fp or X87Operand.M32Int => 4,
        X87Operand.M64Fp or X87Operand.M64Int => 8,
        X87Operand.M80Fp or X87Operand.Bcd => 10,
        X87Operand.M16Int => 2,
        _ => 0,
    };
}
