using System.Runtime.CompilerServices;

namespace UserEmu.Tests.TestSupport;

/// <summary>Every engine the tests run, in this process or as a child, checks each IR drop by translating the block again (TranslationBlock.DroppedIr.cs), and keeps its code cache next to the tests rather than in the user's.</summary>
/// <remarks>The cache outlives a test run, so a second run loads the blocks of the first: each drop of a loaded block then
/// checks that the stored IR is what this engine translates from those pages, and each stored native code image is
/// compared with the block compiled afresh (NativeBlockCompiler.Compile).</remarks>
static class CheckIrDrops
{
    [ModuleInitializer]
    internal static void Enable()
    {
        Environment.SetEnvironmentVariable("USEREMU_CHECK_IR_DROPS", "1");
        Environment.SetEnvironmentVariable("USEREMU_CODE_CACHE", Path.Combine(AppContext.BaseDirectory, "code-cache"));
    }
}
