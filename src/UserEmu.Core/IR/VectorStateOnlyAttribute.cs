using UserEmu.Cpu.X86;

namespace UserEmu.IR;

/// <summary>
/// Marks helpers (a class or a method) that read and write only the vector registers and scratch slots
/// (<see cref="VectorStateArea"/>) and never throw: the translator needs no fault PC for such a call, and the
/// optimiser keeps forwarding other state through it.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class VectorStateOnlyAttribute : Attribute
{
    /// <summary>State offsets [Start, End) a vector-only helper may touch: YMM0-15 and the scratch slots.</summary>
    public static (long Start, long End) VectorStateArea => (CpuState.OffYmm, CpuState.OffYmm + (CpuState.VecScratch0 + CpuState.VecScratchCount) * 32);

    /// <summary>True if [offset, offset+size) overlaps the vector state.</summary>
    public static bool Overlaps(long offset, int size) =>
        offset < VectorStateArea.End && VectorStateArea.Start < offset + size;
}

/// <summary>
/// Marks helpers that read and write only vector state (as <see cref="VectorStateOnlyAttribute"/>) and guest memory,
/// and may fault: the optimiser keeps forwarding the rest of the state through them, but they observe it all.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class VectorStateAndMemoryAttribute : Attribute;

/// <summary>
/// Marks helpers (a class or a method) that write only vector state and MXCSR, and may raise SIGFPE (an unmasked SIMD
/// floating-point exception): the optimiser keeps forwarding the rest of the state through them, but they observe it all.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class VectorStateAndMxcsrAttribute : Attribute;
