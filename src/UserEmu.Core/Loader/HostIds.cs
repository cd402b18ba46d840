using System.Runtime.InteropServices;

namespace UserEmu.Loader;

/// <summary>The host process's real and effective user and group ids, which the guest sees in its auxv.</summary>
public static partial class HostIds
{
    const string Lib = "libc";

    [LibraryImport(Lib)] private static partial uint getuid();
    [LibraryImport(Lib)] private static partial uint geteuid();
    [LibraryImport(Lib)] private static partial uint getgid();
    [LibraryImport(Lib)] private static partial uint getegid();

    public static uint Uid => getuid();
    public static uint Euid => geteuid();
    public static uint Gid => getgid();
    public static uint Egid => getegid();
}
