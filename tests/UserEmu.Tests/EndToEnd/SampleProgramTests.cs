using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.EndToEnd;

/// <summary>The C programs in samples/, built at test time in each link flavour and compared with their native runs.</summary>
public class SampleProgramTests
{
    public static TheoryData<string, string> StaticFlavors()
    {
        var data = new TheoryData<string, string>();
        foreach (var sample in new[] { "hello.c", "strings.c", "numbers.c", "sha256.c", "memory.c" })
            foreach (var flavor in new[] { BuildFlavor.GlibcStatic, BuildFlavor.GlibcStaticPie, BuildFlavor.GlibcDynamic, BuildFlavor.MuslStatic })
                data.Add(sample, flavor.Name);
        return data;
    }

    static BuildFlavor Flavor(string name) =>
        new[] { BuildFlavor.GlibcStatic, BuildFlavor.GlibcStaticPie, BuildFlavor.GlibcDynamic, BuildFlavor.MuslStatic }.Single(f => f.Name == name);

    static string StdinFor(string sample) => sample == "sha256.c" ? string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i}\n")) : "";

    [Theory]
    [MemberData(nameof(StaticFlavors))]
    public void MatchesNative(string sample, string flavor)
    {
        string exe = GuestCompiler.BuildSample(sample, Flavor(flavor));
        NativeOracle.AssertSameAsNative(exe, ["first arg", "", "ünïcode", "3"], StdinFor(sample),
            env: new Dictionary<string, string> { ["USEREMU_SAMPLE"] = "set from the test" });
    }

    [Theory]
    [InlineData("glibc-static")]
    [InlineData("glibc-dynamic")]
    [InlineData("musl-static")]
    public void FilesAndDirectories(string flavor)
    {
        string exe = GuestCompiler.BuildSample("fileio.c", Flavor(flavor));
        // Each run gets its own fresh directory; the output names no paths, so the two runs compare directly.
        string Fresh() => Directory.CreateTempSubdirectory("useremu-fileio-").FullName;
        var native = HostCommand.Run(exe, [Fresh()]);
        var emulated = HostCommand.RunEmulated(exe, [Fresh()]);
        Assert.Equal(native.ToString(), emulated.ToString());
    }

    [Fact]
    public void CxxExceptionsAndIostreams()
    {
        string exe = GuestCompiler.BuildSample("cxx.cpp", new BuildFlavor("g++-static", "g++", "-O2 -static"));
        NativeOracle.AssertSameAsNative(exe, []);
    }

    /// <summary>A guest that faults dies by the same signal as natively, so the shell sees the same status (139, 136...).</summary>
    [Theory]
    [InlineData("segv")]
    [InlineData("fpe")]
    [InlineData("abort")]
    [InlineData("ill")]
    [InlineData("kill")]
    [InlineData("exit")]
    public void DiesLikeNative(string how)
    {
        string exe = GuestCompiler.BuildSample("crash.c", BuildFlavor.MuslStatic);
        NativeOracle.AssertSameAsNative(exe, [how]);
    }
}
