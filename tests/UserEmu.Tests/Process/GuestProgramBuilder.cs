using System.Diagnostics;

namespace UserEmu.Tests.ProcessModel;

/// <summary>Compiles the C test programs of this folder with gcc, once per test run, into a temporary directory.</summary>
/// <remarks>
/// The programs are static and freestanding (<see cref="MiniRuntime"/>: raw syscalls, general registers only) so they
/// exercise the process model without depending on the SSE and x87 code of a real libc.
/// </remarks>
public static class GuestProgramBuilder
{
    const string Flags = "-O1 -static -nostdlib -ffreestanding -fno-builtin -fno-stack-protector -mgeneral-regs-only -no-pie -fno-pie -w";
    static readonly Lazy<string> s_dir = new(() => Directory.CreateTempSubdirectory("useremu-process-").FullName);
    static readonly Dictionary<string, string> s_built = new();
    static readonly Lock s_lock = new();

    public static string Dir => s_dir.Value;

    /// <summary>The path of <paramref name="name"/> built from <paramref name="source"/> (with <see cref="MiniRuntime"/> prepended).</summary>
    public static string Build(string name, string source)
    {
        lock (s_lock)
        {
            if (s_built.TryGetValue(name, out var done)) return done;
            string src = Path.Combine(Dir, name + ".c"), exe = Path.Combine(Dir, name);
            File.WriteAllText(src, MiniRuntime.Header + source);
            var psi = new ProcessStartInfo("gcc") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var f in Flags.Split(' ')) psi.ArgumentList.Add(f);
            psi.ArgumentList.Add("-o");
            psi.ArgumentList.Add(exe);
            psi.ArgumentList.Add(src);
            using var p = System.Diagnostics.Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"gcc failed for {name}: {err}");
            s_built[name] = exe;
            return exe;
        }
    }

    /// <summary>Writes a file into the build directory (scripts, data) with the given mode.</summary>
    public static string WriteFile(string name, string content, UnixFileMode mode)
    {
        string path = Path.Combine(Dir, name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }
}
