namespace UserEmu.Syscalls.Strace.Names;

/// <summary>strace's names for file-related flags and enumerations (x86-64 values), in strace's print order.</summary>
public static class FileNames
{
    public const ulong O_ACCMODE = 3, O_CREAT = 0x40, O_TMPFILE = 0x410000;

    public static readonly string[] AccessModes = ["O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"];

    public static readonly FlagNames OpenFlags = new([
        (0x40, "O_CREAT"), (0x80, "O_EXCL"), (0x100, "O_NOCTTY"), (0x200, "O_TRUNC"), (0x400, "O_APPEND"), (0x800, "O_NONBLOCK"),
        (0x101000, "O_SYNC"), (0x1000, "O_DSYNC"), (0x4000, "O_DIRECT"), (0x8000, "O_LARGEFILE"), (0x20000, "O_NOFOLLOW"),
        (0x40000, "O_NOATIME"), (0x80000, "O_CLOEXEC"), (0x200000, "O_PATH"), (0x410000, "O_TMPFILE"), (0x10000, "O_DIRECTORY"),
        (0x2000, "O_ASYNC"),
    ]);

    public static readonly FlagNames AtFlags = new([
        (0x100, "AT_SYMLINK_NOFOLLOW"), (0x200, "AT_REMOVEDIR"), (0x400, "AT_SYMLINK_FOLLOW"), (0x800, "AT_NO_AUTOMOUNT"),
        (0x1000, "AT_EMPTY_PATH"), (0x8000, "AT_RECURSIVE"),
    ]);

    /// <summary>statx's AT_* flags include the sync type in bits 13..14.</summary>
    public static readonly FlagNames StatxAtFlags = new([
        (0x100, "AT_SYMLINK_NOFOLLOW"), (0x800, "AT_NO_AUTOMOUNT"), (0x1000, "AT_EMPTY_PATH"),
        (0x2000, "AT_STATX_FORCE_SYNC"), (0x4000, "AT_STATX_DONT_SYNC"),
    ]);

    public static readonly FlagNames AccessMode = new([(4, "R_OK"), (2, "W_OK"), (1, "X_OK")]);

    public static readonly EnumNames Whence = new([(0, "SEEK_SET"), (1, "SEEK_CUR"), (2, "SEEK_END"), (3, "SEEK_DATA"), (4, "SEEK_HOLE")], "SEEK_???");

    public static readonly FlagNames RenameFlags = new([(1, "RENAME_NOREPLACE"), (2, "RENAME_EXCHANGE"), (4, "RENAME_WHITEOUT")]);

    public static readonly FlagNames StatxMask = new([
        (0xfff, "STATX_BASIC_STATS"), (1, "STATX_TYPE"), (2, "STATX_MODE"), (4, "STATX_NLINK"), (8, "STATX_UID"), (0x10, "STATX_GID"),
        (0x20, "STATX_ATIME"), (0x40, "STATX_MTIME"), (0x80, "STATX_CTIME"), (0x100, "STATX_INO"), (0x200, "STATX_SIZE"),
        (0x400, "STATX_BLOCKS"), (0x800, "STATX_BTIME"), (0x1000, "STATX_MNT_ID"), (0x2000, "STATX_DIOALIGN"),
        (0x4000, "STATX_MNT_ID_UNIQUE"),
    ]);

    public const int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7,
        F_SETOWN = 8, F_GETOWN = 9, F_SETSIG = 10, F_GETSIG = 11, F_SETLEASE = 1024, F_GETLEASE = 1025, F_NOTIFY = 1026,
        F_DUPFD_CLOEXEC = 1030, F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032, F_ADD_SEALS = 1033, F_GET_SEALS = 1034;

    public static readonly EnumNames FcntlCmd = new([
        (F_DUPFD, "F_DUPFD"), (F_GETFD, "F_GETFD"), (F_SETFD, "F_SETFD"), (F_GETFL, "F_GETFL"), (F_SETFL, "F_SETFL"),
        (F_GETLK, "F_GETLK"), (F_SETLK, "F_SETLK"), (F_SETLKW, "F_SETLKW"), (F_SETOWN, "F_SETOWN"), (F_GETOWN, "F_GETOWN"),
        (F_SETSIG, "F_SETSIG"), (F_GETSIG, "F_GETSIG"), (15, "F_SETOWN_EX"), (16, "F_GETOWN_EX"), (17, "F_GETOWNER_UIDS"),
        (36, "F_OFD_GETLK"), (37, "F_OFD_SETLK"), (38, "F_OFD_SETLKW"), (F_SETLEASE, "F_SETLEASE"), (F_GETLEASE, "F_GETLEASE"),
        (F_NOTIFY, "F_NOTIFY"), (1029, "F_CANCELLK"), (F_DUPFD_CLOEXEC, "F_DUPFD_CLOEXEC"), (F_SETPIPE_SZ, "F_SETPIPE_SZ"),
        (F_GETPIPE_SZ, "F_GETPIPE_SZ"), (F_ADD_SEALS, "F_ADD_SEALS"), (F_GET_SEALS, "F_GET_SEALS"),
    ], "F_???");

    public static readonly FlagNames FdFlags = new([(1, "FD_CLOEXEC")]);

    public static readonly FlagNames SealFlags = new([(1, "F_SEAL_SEAL"), (2, "F_SEAL_SHRINK"), (4, "F_SEAL_GROW"), (8, "F_SEAL_WRITE"), (0x10, "F_SEAL_FUTURE_WRITE")]);

    public static readonly FlagNames FlockOp = new([(1, "LOCK_SH"), (2, "LOCK_EX"), (4, "LOCK_NB"), (8, "LOCK_UN")]);

    public static readonly EnumNames FadviseAdvice = new([
        (0, "POSIX_FADV_NORMAL"), (1, "POSIX_FADV_RANDOM"), (2, "POSIX_FADV_SEQUENTIAL"), (3, "POSIX_FADV_WILLNEED"),
        (4, "POSIX_FADV_DONTNEED"), (5, "POSIX_FADV_NOREUSE"),
    ], "POSIX_FADV_???", decimalUnknown: true);

    public static readonly FlagNames FallocateMode = new([
        (1, "FALLOC_FL_KEEP_SIZE"), (2, "FALLOC_FL_PUNCH_HOLE"), (4, "FALLOC_FL_NO_HIDE_STALE"), (8, "FALLOC_FL_COLLAPSE_RANGE"),
        (0x10, "FALLOC_FL_ZERO_RANGE"), (0x20, "FALLOC_FL_INSERT_RANGE"), (0x40, "FALLOC_FL_UNSHARE_RANGE"),
    ]);

    /// <summary>File type bits of st_mode, as S_IF* names.</summary>
    public static readonly EnumNames FileTypes = new([
        (0xC000, "S_IFSOCK"), (0xA000, "S_IFLNK"), (0x8000, "S_IFREG"), (0x6000, "S_IFBLK"), (0x4000, "S_IFDIR"),
        (0x2000, "S_IFCHR"), (0x1000, "S_IFIFO"),
    ]);

    public static readonly EnumNames DirentTypes = new([
        (0, "DT_UNKNOWN"), (1, "DT_FIFO"), (2, "DT_CHR"), (4, "DT_DIR"), (6, "DT_BLK"), (8, "DT_REG"), (10, "DT_LNK"), (12, "DT_SOCK"),
    ]);
}
