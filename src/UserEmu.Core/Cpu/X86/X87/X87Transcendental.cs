namespace UserEmu.Cpu.X86.X87;

/// <summary>fsin, fcos, fsincos, fptan, fpatan, f2xm1, fyl2x, fyl2xp1.</summary>
public static unsafe class X87Transcendental
{
    public static void Run(CpuState* s, X87Op op, Float80 x, ushort fcw) =>
        throw new InvalidOperationException($"x87 {op} is not lowered");
}
