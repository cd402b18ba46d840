namespace UserEmu.Bench.Host;

/// <summary>Finds the host programs the workloads and runners use.</summary>
static class HostTools
{
    /// <summary>The first file named <paramref name="name"/> on PATH that is an ELF executable, symlinks resolved.</summary>
    /// <remarks>
    /// Wrapper scripts are skipped (pyenv puts a bash shim named python3 first on PATH): qemu-x86_64 and useremu
    /// run ELF files, and benchmarking a shell that execs the real interpreter would measure the wrong thing.
    /// </remarks>
    public static string? FindElf(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string path = Path.Combine(dir, name);
            if (!File.Exists(path)) continue;
            string real = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
            if (IsElf(real)) return real;
        }
        return null;
    }

    public static bool IsElf(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[4];
            return f.Read(magic) == 4 && magic.SequenceEqual("\u007FELF"u8);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
