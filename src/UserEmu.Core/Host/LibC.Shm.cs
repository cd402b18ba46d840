using System.Runtime.InteropServices;

namespace UserEmu.Host;

public static unsafe partial class LibC
{
    public const int SHM_RDONLY = 0x1000, SHM_RND = 0x2000, SHM_REMAP = 0x4000, SHM_EXEC = 0x8000;

    /// <summary>Attaches System V shared memory segment <paramref name="shmid"/> (returns MAP_FAILED with errno set on failure).</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint shmat(int shmid, nint addr, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int shmdt(nint addr);
}
