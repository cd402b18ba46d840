using Xunit;

namespace UserEmu.Tests.TestSupport;

/// <summary>A fact that is skipped, naming what is missing, when one of the host programs it runs is not installed.</summary>
public sealed class FactNeedsAttribute : FactAttribute
{
    public FactNeedsAttribute(params string[] programs)
    {
        string? missing = programs.FirstOrDefault(p => !File.Exists(p));
        if (missing != null) Skip = $"{missing} is not installed";
    }
}
