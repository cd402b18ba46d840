using UserEmu.Engine;

namespace UserEmu.Cpu.X86;

/// <summary>IR helpers that evaluate the lazily recorded flags.</summary>
public static unsafe class FlagHelpers
{
    public static ulong Compute(Vcpu cpu, ulong a, ulong b, long imm) => LazyFlags.Compute(cpu.State);

    /// <summary>Pure form: a = CcOp | carry-in (CcSrc2 bit 0) &lt;&lt; 32, b = CcDst, c = CcSrc.</summary>
    public static ulong ComputePure(ulong a, ulong b, ulong c, long imm) => LazyFlags.Compute((CcOp)(uint)a, b, c, a >> 32);

    /// <summary>Pure form of <see cref="Condition"/>: operands as in <see cref="ComputePure"/>, imm = condition code.</summary>
    public static ulong ConditionPure(ulong a, ulong b, ulong c, long imm) =>
        LazyFlags.Test((CcOp)(uint)a, b, c, a >> 32, (Cond)imm) ? 1UL : 0;

    /// <summary>1 if the condition code in imm holds.</summary>
    public static ulong Condition(Vcpu cpu, ulong a, ulong b, long imm) => LazyFlags.Test(cpu.State, (Cond)imm) ? 1UL : 0;

    public static ulong ReadRflags(Vcpu cpu, ulong a, ulong b, long imm) => LazyFlags.Rflags(cpu.State);

    /// <summary>popf / sigreturn: a = new value, b = mask of writable bits.</summary>
    public static ulong WriteRflags(Vcpu cpu, ulong a, ulong b, long imm)
    {
        LazyFlags.SetRflags(cpu.State, a, b);
        return 0;
    }
}
