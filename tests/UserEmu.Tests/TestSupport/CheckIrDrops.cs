using System.Runtime.CompilerServices;

namespace UserEmu.Tests.TestSupport;

/// <summary>Every engine the tests run, in this process or as a child, checks each IR drop by translating the block again (TranslationBlock.DroppedIr.cs).</summary>
static class CheckIrDrops
{
    [ModuleInitializer]
    internal static void Enable() => Environment.SetEnvironmentVariable("USEREMU_CHECK_IR_DROPS", "1");
}
