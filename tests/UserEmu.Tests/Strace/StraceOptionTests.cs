using UserEmu.Cli.CommandLine;
using Xunit;

namespace UserEmu.Tests.Strace;

/// <summary>The -strace* command-line options and their USEREMU_* variables.</summary>
public sealed class StraceOptionTests
{
    static CliOptions Parse(string[] args, Dictionary<string, string>? env = null) =>
        OptionTable.Parse(args, name => env != null && env.TryGetValue(name, out var v) ? v : null);

    [Fact]
    public void PlainStraceDoesNotTakeTheProgramAsItsValue()
    {
        var o = Parse(["-strace", "./prog", "-x"]);
        Assert.True(o.Emulator.Strace);
        Assert.Null(o.Emulator.StraceFilter);
        Assert.Equal("./prog", o.Program);
        Assert.Equal(["-x"], o.ProgramArgs);
    }

    [Fact]
    public void SetFileSizeSummaryAndFormat()
    {
        var o = Parse(["-strace=%file,read", "-strace-file", "t.txt", "-strace-strsize", "64", "-strace-summary", "-strace-format", "json", "prog"]);
        Assert.True(o.Emulator.Strace);
        Assert.Equal("%file,read", o.Emulator.StraceFilter);
        Assert.Equal("t.txt", o.Emulator.StraceFile);
        Assert.Equal(64, o.Emulator.StraceStringLimit);
        Assert.True(o.Emulator.StraceSummary);
        Assert.True(o.Emulator.StraceJson);
        Assert.Throws<UsageException>(() => Parse(["-strace-format", "xml", "prog"]));
    }

    [Fact]
    public void EnvironmentVariables()
    {
        var on = Parse(["prog"], new() { ["USEREMU_STRACE"] = "1" });
        Assert.True(on.Emulator.Strace);
        Assert.Null(on.Emulator.StraceFilter);
        var off = Parse(["prog"], new() { ["USEREMU_STRACE"] = "0" });
        Assert.False(off.Emulator.Strace);
        var set = Parse(["prog"], new() { ["USEREMU_STRACE"] = "openat,close", ["USEREMU_STRACE_STRSIZE"] = "8" });
        Assert.Equal("openat,close", set.Emulator.StraceFilter);
        Assert.Equal(8, set.Emulator.StraceStringLimit);
    }
}
