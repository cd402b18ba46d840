using UserEmu.Loader;
using UserEmu.Memory;
using UserEmu.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace UserEmu.Tests.Fuzz;

/// <summary>Mutated real executables: the loader either loads them or gives an <see cref="ExecFormatException"/>, never anything else.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LoaderFuzzTests(ITestOutputHelper output) : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("useremu-loaderfuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void MutatedExecutablesGiveCleanErrors()
    {
        var seeds = new[]
        {
            GuestCompiler.BuildSample("exit42.s", BuildFlavor.Assembly),
            GuestCompiler.BuildSample("hello.c", BuildFlavor.MuslStatic),
            GuestCompiler.BuildSample("hello.c", BuildFlavor.GlibcStaticPie),
            GuestCompiler.BuildSample("hello.c", BuildFlavor.GlibcDynamic),
        }.Select(File.ReadAllBytes).ToArray();
        var rng = new Random(FuzzSettings.Seed(7));
        int iterations = FuzzSettings.Iterations(1500), loaded = 0, rejected = 0;
        string path = Path.Combine(_dir, "mutant");
        for (int i = 0; i < iterations; i++)
        {
            byte[] bytes = Mutate(seeds[rng.Next(seeds.Length)], rng);
            File.WriteAllBytes(path, bytes);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            using var mem = new GuestAddressSpace();
            try
            {
                ElfLoader.Load(mem, path);
                loaded++;
            }
            catch (ExecFormatException e)
            {
                rejected++;
                Assert.True(e.ExitCode is 126 or 127, $"exit code {e.ExitCode} for: {e.Message}");
                Assert.DoesNotContain('\n', e.Message);
                Assert.Empty(mem.Mappings());
            }
            catch (Exception e)
            {
                string keep = Path.Combine(_dir, $"crash-{i}");
                File.WriteAllBytes(keep, bytes);
                Assert.Fail($"iteration {i}: host exception {e.GetType().Name}: {e.Message} (input kept in {keep})");
            }
        }
        output.WriteLine($"{iterations} mutants: {loaded} loaded, {rejected} rejected");
    }

    /// <summary>Byte flips concentrated on the headers (where the loader's decisions are), plus truncation and garbage fields.</summary>
    internal static byte[] Mutate(byte[] seed, Random rng)
    {
        var b = (byte[])seed.Clone();
        int headerEnd = Math.Min(b.Length, 64 + 56 * 16);
        int flips = 1 + rng.Next(8);
        for (int k = 0; k < flips; k++)
        {
            int at = rng.Next(4) == 0 ? rng.Next(b.Length) : rng.Next(headerEnd);
            b[at] = rng.Next(3) switch
            {
                0 => (byte)rng.Next(256),
                1 => (byte)(b[at] ^ (1 << rng.Next(8))),
                _ => rng.Next(2) == 0 ? (byte)0 : (byte)0xff,
            };
        }
        if (rng.Next(10) == 0) Array.Resize(ref b, rng.Next(b.Length));
        return b;
    }
}
