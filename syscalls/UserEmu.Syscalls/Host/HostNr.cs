namespace UserEmu.Syscalls.Host;

/// <summary>Numbers of the host (x86-64 Linux) syscalls the bridge forwards to; independent of the guest ABI's numbering.</summary>
public static class HostNr
{
    public const int Read = 0, Write = 1, Open = 2, Close = 3, Stat = 4, Fstat = 5, Lstat = 6, Poll = 7, Lseek = 8,
        Mincore = 27, Ioctl = 16, Pread64 = 17, Pwrite64 = 18, Readv = 19, Writev = 20, Access = 21, Pipe = 22, Select = 23,
        SchedYield = 24, Dup = 32, Dup2 = 33, Nanosleep = 35, Getpid = 39, Sendfile = 40, Wait4 = 61, Kill = 62, Uname = 63,
        Fcntl = 72, Flock = 73, Fsync = 74, Fdatasync = 75, Truncate = 76, Ftruncate = 77, Getdents = 78, Getcwd = 79,
        Chdir = 80, Fchdir = 81, Rename = 82, Mkdir = 83, Rmdir = 84, Creat = 85, Link = 86, Unlink = 87, Symlink = 88,
        Readlink = 89, Chmod = 90, Fchmod = 91, Chown = 92, Fchown = 93, Lchown = 94, Umask = 95, Getrusage = 98,
        Sysinfo = 99, Times = 100, Getuid = 102, Getgid = 104, Setuid = 105, Setgid = 106, Geteuid = 107, Getegid = 108,
        Setpgid = 109, Getppid = 110, Getpgrp = 111, Setsid = 112, Setreuid = 113, Setregid = 114, Getgroups = 115,
        Setgroups = 116, Setresuid = 117, Getresuid = 118, Setresgid = 119, Getresgid = 120, Getpgid = 121, Setfsuid = 122,
        Setfsgid = 123, Getsid = 124, Utime = 132, Mknod = 133, Statfs = 137, Fstatfs = 138, Getpriority = 140,
        Setpriority = 141, SchedSetparam = 142, SchedGetparam = 143, SchedSetscheduler = 144, SchedGetscheduler = 145,
        SchedGetPriorityMax = 146, SchedGetPriorityMin = 147, SchedRrGetInterval = 148, Mlock = 149, Munlock = 150,
        Prctl = 157, Adjtimex = 159, Sync = 162, Settimeofday = 164, Tkill = 200, Time = 201, SchedSetaffinity = 203, SchedGetaffinity = 204, Getdents64 = 217,
        Fadvise64 = 221, ClockSettime = 227, ClockNanosleep = 230, Tgkill = 234, Utimes = 235, Waitid = 247, InotifyAddWatch = 254,
        InotifyRmWatch = 255, Openat = 257, Mkdirat = 258, Mknodat = 259, Fchownat = 260, Futimesat = 261, Newfstatat = 262,
        Unlinkat = 263, Renameat = 264, Linkat = 265, Symlinkat = 266, Readlinkat = 267, Fchmodat = 268, Faccessat = 269,
        Pselect6 = 270, Ppoll = 271, Splice = 275, Tee = 276, SyncFileRange = 277, Utimensat = 280, EpollPwait = 281,
        TimerfdCreate = 283, Fallocate = 285, TimerfdSettime = 286, TimerfdGettime = 287, Eventfd2 = 290,
        EpollCreate1 = 291, Dup3 = 292, Pipe2 = 293, InotifyInit1 = 294, Preadv = 295, Pwritev = 296, Prlimit64 = 302, ClockAdjtime = 305,
        Syncfs = 306, Getcpu = 309, Renameat2 = 316, Getrandom = 318, MemfdCreate = 319, Mlock2 = 325,
        CopyFileRange = 326, Preadv2 = 327, Pwritev2 = 328, Statx = 332, CloseRange = 436, Openat2 = 437,
        Faccessat2 = 439, EpollCtl = 233, EpollPwait2 = 441, Fchmodat2 = 452, EpollCreate = 213, EpollWait = 232,
        InotifyInit = 253, Eventfd = 284, Readahead = 187, Setrlimit = 160, Getrlimit = 97, Msync = 26, Madvise = 28;

    public const int Socket = 41, Connect = 42, Accept = 43, Sendto = 44, Recvfrom = 45, Sendmsg = 46, Recvmsg = 47,
        Shutdown = 48, Bind = 49, Listen = 50, Getsockname = 51, Getpeername = 52, Socketpair = 53, Setsockopt = 54,
        Getsockopt = 55, Accept4 = 288;

    public const int Shmget = 29, Shmat = 30, Shmctl = 31, Semget = 64, Semop = 65, Semctl = 66, Shmdt = 67, Msgget = 68,
        Msgsnd = 69, Msgrcv = 70, Msgctl = 71, Semtimedop = 220;
}
