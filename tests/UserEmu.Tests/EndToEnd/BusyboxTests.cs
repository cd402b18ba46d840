using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.EndToEnd;

/// <summary>Debian's busybox-static (a real static glibc binary) running its applets under the emulator, against native runs.</summary>
public class BusyboxTests
{
    const string Busybox = "/bin/busybox";

    static readonly string Text = string.Concat(Enumerable.Range(0, 2000).Select(i => $"{(i * 7919) % 1000} item{i % 37} {(char)('a' + i % 26)}\n"));

    /// <summary>Applets run directly (argv as given), reading <see cref="Text"/> on stdin.</summary>
    public static TheoryData<string[]> Applets() =>
    [
        ["echo", "hello", "world"], ["true"], ["false"], ["cat"], ["wc"], ["sort", "-n"], ["sort", "-k2", "-u"], ["uniq", "-c"],
        ["head", "-n", "5"], ["tail", "-n", "3"], ["tr", "a-z", "A-Z"], ["cut", "-d", " ", "-f2"], ["sed", "-e", "s/item/ITEM/g", "-e", "5q"],
        ["awk", "{s+=$1} END {print s, NR}"], ["grep", "-c", "item1"], ["sha256sum"], ["md5sum"], ["sha1sum"], ["base64"],
        ["od", "-A", "x", "-t", "x1z", "-N", "64"], ["expr", "6", "*", "7"], ["seq", "1", "3", "20"], ["printf", "%05d|%s\\n", "42", "x"],
        ["basename", "/a/b/c.txt", ".txt"], ["date", "-u", "-d", "@1234567890"], ["dirname", "/a/b/c.txt"], ["xxd", "-l", "32"], ["factor", "1234567890"],
    ];

    /// <summary>Shell command lines: busybox sh forks and execs itself, so every process in them runs under the emulator.</summary>
    public static TheoryData<string> ShellLines() =>
    [
        "gzip -c | gunzip -c | wc -c", "for i in 1 2 3; do echo $i; done | sort -r", "x=$(echo sub); echo ${x}shell $((6*7))",
        "sort -n | tail -n 3; echo status=$?", "sh -c 'exit 3'; echo $?",
    ];

    [Theory]
    [MemberData(nameof(Applets))]
    public void AppletMatchesNative(string[] argv)
    {
        Assert.True(File.Exists(Busybox), "busybox-static is not installed (.ci/run installs it)");
        NativeOracle.AssertSameAsNative(Busybox, argv, Text);
    }

    [Theory]
    [MemberData(nameof(ShellLines))]
    public void ShellMatchesNative(string line)
    {
        Assert.True(File.Exists(Busybox), "busybox-static is not installed (.ci/run installs it)");
        NativeOracle.AssertSameAsNative(Busybox, ["sh", "-c", line], Text);
    }
}
