using UserEmu.Engine;

namespace UserEmu.Backend.IL;

/// <summary>
/// A compiled region's direct exits (QEMU's TB chaining): exit k continues straight into <c>Targets[k]</c>'s code
/// once the dispatcher has filled it in, the first time that exit is taken and its target is compiled. The region's
/// delegate is closed over this object, its first IL argument. It also counts what the dispatcher needs to judge
/// whether the region pays (<see cref="Engine.RegionProbation"/>).
/// </summary>
public sealed class RegionLinks(int exits)
{
    public readonly TranslationBlock?[] Targets = new TranslationBlock?[exits];
    /// <summary>Steps in compiled code (<see cref="Vcpu.RegionSteps"/>) that the dispatcher's entries into this region led to, while on probation.</summary>
    public long Steps;
    /// <summary>Times the dispatcher entered the region while it was on probation.</summary>
    public int Entries;
    /// <summary>Still being judged; cleared once the region is kept or demoted.</summary>
    public bool OnProbation = true;
}
