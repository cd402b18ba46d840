namespace UserEmu.Syscalls.Table;

/// <summary>What a syscall argument is, so that a tracer can print it the way strace does (the C type plus its meaning).</summary>
/// <remarks>
/// Kinds that describe guest memory say which way the data flows: "In" is read by the kernel before the call,
/// "Out" is written by it (a tracer prints it after the call, and only on success).
/// </remarks>
public enum ArgKind : byte
{
    // ---- plain numbers ----
    /// <summary>int, printed signed (32 bits of the register).</summary>
    Int,
    /// <summary>long / off_t / loff_t, printed signed (64 bits).</summary>
    Long,
    /// <summary>unsigned int.</summary>
    UInt,
    /// <summary>size_t / unsigned long.</summary>
    ULong,
    /// <summary>A number best shown in hex (flags without a symbolic table, magic values).</summary>
    Hex,
    /// <summary>A guest pointer whose contents are not decoded (printed as an address or NULL).</summary>
    Ptr,

    // ---- identities ----
    Fd,
    /// <summary>A directory fd of the *at calls: AT_FDCWD (-100) is printed by name.</summary>
    AtDirFd,
    Pid,
    Uid,
    Gid,

    // ---- strings and buffers ----
    /// <summary>NUL-terminated path name read by the kernel.</summary>
    Path,
    /// <summary>NUL-terminated string that is not a path (names, keys).</summary>
    StrIn,
    /// <summary>NULL-terminated array of string pointers (argv, envp).</summary>
    StrArray,
    /// <summary>Bytes read by the kernel; the length is the argument <see cref="ArgSpec.Len"/>.</summary>
    BufIn,
    /// <summary>Bytes written by the kernel; the length is the argument <see cref="ArgSpec.Len"/> or the return value.</summary>
    BufOut,
    /// <summary>struct iovec[] read from (writev); the count is argument <see cref="ArgSpec.Len"/>.</summary>
    IovecIn,
    /// <summary>struct iovec[] filled (readv); the count is argument <see cref="ArgSpec.Len"/>, the total the return value.</summary>
    IovecOut,

    // ---- files ----
    OpenFlags,
    /// <summary>File mode bits (octal), also umask.</summary>
    Mode,
    /// <summary>AT_* flags (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, AT_REMOVEDIR...).</summary>
    AtFlags,
    /// <summary>access() mode: F_OK or R_OK|W_OK|X_OK.</summary>
    AccessMode,
    /// <summary>lseek whence: SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE.</summary>
    Whence,
    RenameFlags,
    /// <summary>statx mask (STATX_*).</summary>
    StatxMask,
    /// <summary>struct stat written by the kernel (x86-64: 144 bytes).</summary>
    StatOut,
    StatxOut,
    /// <summary>struct statfs written by the kernel (x86-64: 120 bytes).</summary>
    StatfsOut,
    /// <summary>linux_dirent64[] written by getdents64; the length is the return value.</summary>
    DirentsOut,
    /// <summary>int[2] written by pipe/pipe2.</summary>
    PipeFdsOut,
    FcntlCmd,
    /// <summary>ioctl request, printed by name (TCGETS, FIONREAD) or as _IOC(dir, type, nr, size).</summary>
    IoctlCmd,
    /// <summary>flock operation: LOCK_SH, LOCK_EX, LOCK_UN, LOCK_NB.</summary>
    FlockOp,
    FadviseAdvice,
    FallocateMode,
    /// <summary>struct timespec[2] read by utimensat (UTIME_NOW / UTIME_OMIT by name).</summary>
    UtimeTimesIn,

    // ---- memory ----
    MmapProt,
    MmapFlags,
    MremapFlags,
    MadviseAdvice,
    MsyncFlags,

    // ---- signals ----
    Signal,
    /// <summary>sigset_t read by the kernel (printed as [INT TERM]).</summary>
    SigSetIn,
    SigSetOut,
    /// <summary>SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK.</summary>
    SigprocmaskHow,
    /// <summary>struct kernel_sigaction read by rt_sigaction.</summary>
    SigActionIn,
    SigActionOut,
    SigInfoIn,
    SigInfoOut,
    /// <summary>stack_t of sigaltstack.</summary>
    StackIn,
    StackOut,

    // ---- time ----
    ClockId,
    TimespecIn,
    /// <summary>struct timespec written by the kernel (clock_gettime, the remainder of nanosleep).</summary>
    TimespecOut,
    TimevalIn,
    TimevalOut,
    ItimerWhich,
    ItimervalIn,
    ItimervalOut,
    ItimerspecIn,
    ItimerspecOut,
    /// <summary>TIMER_ABSTIME / TFD_TIMER_ABSTIME.</summary>
    TimerFlags,

    // ---- processes ----
    /// <summary>wait4/waitid options: WNOHANG, WUNTRACED, __WALL...</summary>
    WaitOptions,
    /// <summary>int wait status written by wait4 (printed as [{WIFEXITED(s) &amp;&amp; WEXITSTATUS(s) == 0}]).</summary>
    WaitStatusOut,
    /// <summary>waitid idtype: P_ALL, P_PID, P_PGID, P_PIDFD.</summary>
    IdType,
    CloneFlags,
    FutexOp,
    PrctlOption,
    ArchPrctlCode,
    RlimitResource,
    RlimitIn,
    RlimitOut,
    /// <summary>getrusage who: RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD.</summary>
    RusageWho,
    RusageOut,
    UtsnameOut,
    SysinfoOut,
    TmsOut,
    /// <summary>CPU mask read by sched_setaffinity; the size in bytes is argument <see cref="ArgSpec.Len"/>.</summary>
    CpuSetIn,
    /// <summary>CPU mask written by sched_getaffinity; its size in bytes is the return value.</summary>
    CpuSetOut,
    SchedPolicy,

    // ---- descriptors that wait ----
    /// <summary>struct pollfd[] (read and updated); the count is argument <see cref="ArgSpec.Len"/>.</summary>
    PollFds,
    /// <summary>fd_set (read and updated by select); its size in bits is argument <see cref="ArgSpec.Len"/>.</summary>
    FdSet,
    EpollCtlOp,
    EpollEventIn,
    /// <summary>struct epoll_event[] written by epoll_wait; the count is the return value.</summary>
    EpollEventsOut,

    // ---- sockets ----
    SocketFamily,
    SocketType,
    /// <summary>struct sockaddr read by the kernel; its length is argument <see cref="ArgSpec.Len"/>.</summary>
    SockAddrIn,
    /// <summary>struct sockaddr written by the kernel; argument <see cref="ArgSpec.Len"/> points to its socklen_t.</summary>
    SockAddrOut,
    /// <summary>socklen_t* read and updated.</summary>
    SockLenInOut,
    SockOptLevel,
    SockOptName,
    /// <summary>MSG_* flags of send/recv.</summary>
    MsgFlags,
    MsghdrIn,
    MsghdrOut,
    /// <summary>shutdown how: SHUT_RD, SHUT_WR, SHUT_RDWR.</summary>
    ShutdownHow,

    // ---- System V IPC ----
    /// <summary>key_t: IPC_PRIVATE or hex.</summary>
    IpcKey,
    /// <summary>shmget/semget/msgget flags with the mode bits: IPC_CREAT|IPC_EXCL|0600.</summary>
    IpcGetFlags,
    /// <summary>shmat flags: SHM_RDONLY, SHM_RND, SHM_REMAP, SHM_EXEC.</summary>
    ShmatFlags,
    /// <summary>shmctl/semctl/msgctl command; its decoder also prints the structure argument after it, which depends on it.</summary>
    IpcCtlCmd,
    /// <summary>struct sembuf[] read by semop/semtimedop; the count is argument <see cref="ArgSpec.Len"/>.</summary>
    SembufIn,
    /// <summary>struct msgbuf read by msgsnd; the text length is argument <see cref="ArgSpec.Len"/>.</summary>
    MsgbufIn,
    /// <summary>struct msgbuf written by msgrcv; strace shows argument <see cref="ArgSpec.Len"/> bytes of text.</summary>
    MsgbufOut,
    /// <summary>msgsnd/msgrcv flags: MSG_NOERROR, MSG_EXCEPT, MSG_COPY, IPC_NOWAIT.</summary>
    IpcMsgFlags,

    // ---- misc ----
    GetrandomFlags,
    /// <summary>NUL-terminated path written by the kernel (getcwd); the return value counts the NUL.</summary>
    PathOut,
    /// <summary>time_t written by time(); strace adds the date as a comment.</summary>
    TimeOut,
}
