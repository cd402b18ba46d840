using System.Text.RegularExpressions;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Dispatch;

/// <summary>-native-delay: warm blocks wait that long of the guest's run before the native tier translates them.</summary>
public partial class NativeDelayTests
{
    [GeneratedRegex(@"native (\d+) \(")]
    private static partial Regex NativeBlocks();

    static long NativeBlocksTranslated(string delay)
    {
        // A loop of a few thousand shell builtins: its blocks get warm within the first milliseconds.
        var r = HostCommand.Run(HostCommand.Emulator, ["-d", "stats", "-native-delay", delay, "/bin/busybox", "sh", "-c",
            "i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; echo $i"]);
        Assert.Equal(0, r.ExitStatus);
        Assert.Equal("2000\n", r.Stdout);
        var m = NativeBlocks().Match(r.Stderr);
        Assert.True(m.Success, r.Stderr);
        return long.Parse(m.Groups[1].Value);
    }

    [Fact]
    public void NoNativeCodeBeforeTheDelayEnds() => Assert.Equal(0, NativeBlocksTranslated("600000"));

    [Fact]
    public void WarmBlocksGoNativeWithoutADelay() => Assert.True(NativeBlocksTranslated("0") > 10);
}
