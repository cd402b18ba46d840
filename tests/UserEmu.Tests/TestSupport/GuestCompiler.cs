using System.Security.Cryptography;
using System.Text;

namespace UserEmu.Tests.TestSupport;

/// <summary>How a test program is built: the compiler driver and its link mode.</summary>
public sealed record BuildFlavor(string Name, string Compiler, string Flags)
{
    public static readonly BuildFlavor GlibcStatic = new("glibc-static", "gcc", "-O2 -static");
    public static readonly BuildFlavor GlibcStaticPie = new("glibc-static-pie", "gcc", "-O2 -static-pie -fPIE");
    public static readonly BuildFlavor GlibcDynamic = new("glibc-dynamic", "gcc", "-O2");
    public static readonly BuildFlavor MuslStatic = new("musl-static", "musl-gcc", "-O2 -static");
    public static readonly BuildFlavor Assembly = new("asm", "gcc", "-static -nostdlib");

    public override string ToString() => Name;
}

/// <summary>Compiles guest programs with the host's gcc at test time, caching each binary by its source and flags.</summary>
public static class GuestCompiler
{
    static readonly string CacheDir = Path.Combine(Path.GetTempPath(), "useremu-test-programs");
    static readonly Lock Sync = new();

    /// <summary>Path of the binary built from <paramref name="source"/> (C, or assembly when <paramref name="extension"/> is ".s").</summary>
    /// <exception cref="InvalidOperationException">The compiler is missing or rejects the source (its output is in the message).</exception>
    public static string Build(string source, BuildFlavor flavor, string extraFlags = "", string extension = ".c")
    {
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{flavor.Compiler}\n{flavor.Flags}\n{extraFlags}\n{extension}\n{source}")))[..16];
        string exe = Path.Combine(CacheDir, $"{flavor.Name}-{key}");
        lock (Sync)
        {
            if (File.Exists(exe)) return exe;
            Directory.CreateDirectory(CacheDir);
            string src = exe + extension;
            File.WriteAllText(src, source);
            string tmp = exe + ".tmp";
            var r = HostCommand.Run("/bin/sh", ["-c", $"{flavor.Compiler} {flavor.Flags} {extraFlags} -o '{tmp}' '{src}' -lm"], timeoutMs: 120_000);
            if (r.ExitStatus != 0)
                throw new InvalidOperationException($"{flavor.Compiler} failed (install it with .ci/run): {r.Stderr}{r.Stdout}");
            File.Move(tmp, exe, overwrite: true);
            return exe;
        }
    }

    /// <summary>Builds a source file from <c>samples/</c> (found by walking up from the test binary).</summary>
    public static string BuildSample(string name, BuildFlavor flavor, string extraFlags = "") =>
        Build(File.ReadAllText(SamplePath(name)), flavor, extraFlags, Path.GetExtension(name));

    public static string SamplePath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string p = Path.Combine(dir.FullName, "samples", name);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException($"samples/{name} not found above {AppContext.BaseDirectory}");
    }
}
