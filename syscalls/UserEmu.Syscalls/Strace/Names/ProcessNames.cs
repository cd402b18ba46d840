namespace UserEmu.Syscalls.Strace.Names;

/// <summary>strace's names for process, scheduling, time and resource enumerations and flags (x86-64 values).</summary>
public static class ProcessNames
{
    public const ulong CLONE_PIDFD = 0x1000, CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000,
        CLONE_CHILD_SETTID = 0x1000000, CLONE_THREAD = 0x10000, CSIGNAL = 0xff;

    public static readonly FlagNames CloneFlags = new([
        (0x100, "CLONE_VM"), (0x200, "CLONE_FS"), (0x400, "CLONE_FILES"), (0x800, "CLONE_SIGHAND"), (0x1000, "CLONE_PIDFD"),
        (0x2000, "CLONE_PTRACE"), (0x4000, "CLONE_VFORK"), (0x8000, "CLONE_PARENT"), (0x10000, "CLONE_THREAD"),
        (0x20000, "CLONE_NEWNS"), (0x40000, "CLONE_SYSVSEM"), (0x80000, "CLONE_SETTLS"), (0x100000, "CLONE_PARENT_SETTID"),
        (0x200000, "CLONE_CHILD_CLEARTID"), (0x800000, "CLONE_UNTRACED"), (0x1000000, "CLONE_CHILD_SETTID"),
        (0x2000000, "CLONE_NEWCGROUP"), (0x4000000, "CLONE_NEWUTS"), (0x8000000, "CLONE_NEWIPC"), (0x10000000, "CLONE_NEWUSER"),
        (0x20000000, "CLONE_NEWPID"), (0x40000000, "CLONE_NEWNET"), (0x80000000, "CLONE_IO"),
    ]);

    public const int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_FD = 2, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5,
        FUTEX_LOCK_PI = 6, FUTEX_UNLOCK_PI = 7, FUTEX_TRYLOCK_PI = 8, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10,
        FUTEX_WAIT_REQUEUE_PI = 11, FUTEX_CMP_REQUEUE_PI = 12, FUTEX_LOCK_PI2 = 13, FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;

    public static readonly string[] FutexCommands =
    [
        "FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE", "FUTEX_CMP_REQUEUE", "FUTEX_WAKE_OP", "FUTEX_LOCK_PI",
        "FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI", "FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI",
        "FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2",
    ];

    public const int PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4, PR_SET_NAME = 15,
        PR_GET_NAME = 16;

    public static readonly EnumNames PrctlOptions = new([
        (1, "PR_SET_PDEATHSIG"), (2, "PR_GET_PDEATHSIG"), (3, "PR_GET_DUMPABLE"), (4, "PR_SET_DUMPABLE"), (5, "PR_GET_UNALIGN"),
        (6, "PR_SET_UNALIGN"), (7, "PR_GET_KEEPCAPS"), (8, "PR_SET_KEEPCAPS"), (9, "PR_GET_FPEMU"), (10, "PR_SET_FPEMU"),
        (11, "PR_GET_FPEXC"), (12, "PR_SET_FPEXC"), (13, "PR_GET_TIMING"), (14, "PR_SET_TIMING"), (15, "PR_SET_NAME"),
        (16, "PR_GET_NAME"), (19, "PR_GET_ENDIAN"), (20, "PR_SET_ENDIAN"), (21, "PR_GET_SECCOMP"), (22, "PR_SET_SECCOMP"),
        (23, "PR_CAPBSET_READ"), (24, "PR_CAPBSET_DROP"), (25, "PR_GET_TSC"), (26, "PR_SET_TSC"), (27, "PR_GET_SECUREBITS"),
        (28, "PR_SET_SECUREBITS"), (29, "PR_SET_TIMERSLACK"), (30, "PR_GET_TIMERSLACK"), (35, "PR_SET_MM"),
        (36, "PR_SET_CHILD_SUBREAPER"), (37, "PR_GET_CHILD_SUBREAPER"), (38, "PR_SET_NO_NEW_PRIVS"), (39, "PR_GET_NO_NEW_PRIVS"),
        (40, "PR_GET_TID_ADDRESS"), (41, "PR_SET_THP_DISABLE"), (42, "PR_GET_THP_DISABLE"), (45, "PR_SET_FP_MODE"),
        (46, "PR_GET_FP_MODE"), (47, "PR_CAP_AMBIENT"), (53, "PR_SET_SPECULATION_CTRL"), (52, "PR_GET_SPECULATION_CTRL"),
        (59, "PR_SET_SYSCALL_USER_DISPATCH"), (0x59616d61, "PR_SET_PTRACER"), (0x53564d41, "PR_SET_VMA"),
    ], "PR_???");

    public static readonly EnumNames ArchPrctlCodes = new([
        (0x1001, "ARCH_SET_GS"), (0x1002, "ARCH_SET_FS"), (0x1003, "ARCH_GET_FS"), (0x1004, "ARCH_GET_GS"), (0x1011, "ARCH_GET_CPUID"),
        (0x1012, "ARCH_SET_CPUID"), (0x1021, "ARCH_GET_XCOMP_SUPP"), (0x1022, "ARCH_GET_XCOMP_PERM"), (0x1023, "ARCH_REQ_XCOMP_PERM"),
        (0x1024, "ARCH_GET_XCOMP_GUEST_PERM"), (0x1025, "ARCH_REQ_XCOMP_GUEST_PERM"), (0x2001, "ARCH_MAP_VDSO_X32"),
        (0x2002, "ARCH_MAP_VDSO_32"), (0x2003, "ARCH_MAP_VDSO_64"),
    ], "ARCH_???");

    public static readonly EnumNames RlimitResources = new([
        (0, "RLIMIT_CPU"), (1, "RLIMIT_FSIZE"), (2, "RLIMIT_DATA"), (3, "RLIMIT_STACK"), (4, "RLIMIT_CORE"), (5, "RLIMIT_RSS"),
        (6, "RLIMIT_NPROC"), (7, "RLIMIT_NOFILE"), (8, "RLIMIT_MEMLOCK"), (9, "RLIMIT_AS"), (10, "RLIMIT_LOCKS"),
        (11, "RLIMIT_SIGPENDING"), (12, "RLIMIT_MSGQUEUE"), (13, "RLIMIT_NICE"), (14, "RLIMIT_RTPRIO"), (15, "RLIMIT_RTTIME"),
    ], "RLIMIT_???");

    public static readonly EnumNames RusageWho = new([(0, "RUSAGE_SELF"), (-1, "RUSAGE_CHILDREN"), (1, "RUSAGE_THREAD")], "RUSAGE_???", decimalUnknown: true);

    public static readonly FlagNames WaitOptions = new([
        (1, "WNOHANG"), (2, "WUNTRACED"), (4, "WEXITED"), (8, "WCONTINUED"), (0x1000000, "WNOWAIT"), (0x80000000, "__WCLONE"),
        (0x40000000, "__WALL"), (0x20000000, "__WNOTHREAD"),
    ]);

    public static readonly EnumNames IdTypes = new([(0, "P_ALL"), (1, "P_PID"), (2, "P_PGID"), (3, "P_PIDFD")], "P_???");

    public static readonly EnumNames SchedPolicies = new([
        (0, "SCHED_OTHER"), (1, "SCHED_FIFO"), (2, "SCHED_RR"), (3, "SCHED_BATCH"), (4, "SCHED_ISO"), (5, "SCHED_IDLE"), (6, "SCHED_DEADLINE"),
    ], "SCHED_???");

    public static readonly EnumNames Clocks = new([
        (0, "CLOCK_REALTIME"), (1, "CLOCK_MONOTONIC"), (2, "CLOCK_PROCESS_CPUTIME_ID"), (3, "CLOCK_THREAD_CPUTIME_ID"),
        (4, "CLOCK_MONOTONIC_RAW"), (5, "CLOCK_REALTIME_COARSE"), (6, "CLOCK_MONOTONIC_COARSE"), (7, "CLOCK_BOOTTIME"),
        (8, "CLOCK_REALTIME_ALARM"), (9, "CLOCK_BOOTTIME_ALARM"), (10, "CLOCK_SGI_CYCLE"), (11, "CLOCK_TAI"),
    ], "CLOCK_???", decimalUnknown: true);

    public static readonly EnumNames ItimerWhich = new([(0, "ITIMER_REAL"), (1, "ITIMER_VIRTUAL"), (2, "ITIMER_PROF")], "ITIMER_???", decimalUnknown: true);

    public static readonly FlagNames TimerFlags = new([(1, "TIMER_ABSTIME"), (2, "TFD_TIMER_CANCEL_ON_SET")]);

    public static readonly FlagNames GetrandomFlags = new([(1, "GRND_NONBLOCK"), (2, "GRND_RANDOM"), (4, "GRND_INSECURE")]);
}
