using UserEmu.Engine;

namespace UserEmu.Backend.IL;

/// <summary>
/// A compiled region's direct exits (QEMU's TB chaining): exit k continues straight into <c>Targets[k]</c>'s code
/// once the dispatcher has filled it in, the first time that exit is taken and its target is compiled. The region's
/// delegate is closed over this object, its first IL argument.
/// </summary>
public sealed class RegionLinks(int exits)
{
    public readonly TranslationBlock?[] Targets = new TranslationBlock?[exits];
}
