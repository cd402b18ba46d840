namespace UserEmu.Syscalls.Strace.Names;

/// <summary>strace's names for the System V IPC calls' keys, flags and commands (its xlat tables, in their order).</summary>
public static class IpcNames
{
    public const int IPC_64 = 0x100;
    public const int SHM_HUGE_SHIFT = 26, SHM_HUGE_MASK = 0x3f;

    /// <summary>semget/msgget flags above the mode bits.</summary>
    public static readonly FlagNames ResourceFlags = new([(0x200, "IPC_CREAT"), (0x400, "IPC_EXCL"), (0x800, "IPC_NOWAIT")]);

    /// <summary>shmget flags above the mode bits (the huge page size is printed apart).</summary>
    public static readonly FlagNames ShmResourceFlags = new([(0x200, "IPC_CREAT"), (0x400, "IPC_EXCL"), (0x800, "SHM_HUGETLB"), (0x1000, "SHM_NORESERVE")]);

    public static readonly FlagNames ShmatFlags = new([(0x1000, "SHM_RDONLY"), (0x2000, "SHM_RND"), (0x4000, "SHM_REMAP"), (0x8000, "SHM_EXEC")]);

    /// <summary>msgsnd/msgrcv flags.</summary>
    public static readonly FlagNames MsgFlags = new([(0x1000, "MSG_NOERROR"), (0x2000, "MSG_EXCEPT"), (0x4000, "MSG_COPY"), (0x800, "IPC_NOWAIT")]);

    /// <summary>struct sembuf's sem_flg.</summary>
    public static readonly FlagNames SemopFlags = new([(0x1000, "SEM_UNDO"), (0x800, "IPC_NOWAIT")]);

    static readonly (long, string)[] Common = [(0, "IPC_RMID"), (1, "IPC_SET"), (2, "IPC_STAT"), (3, "IPC_INFO")];

    public static readonly EnumNames ShmctlCommands = new([
        .. Common, (11, "SHM_LOCK"), (12, "SHM_UNLOCK"), (13, "SHM_STAT"), (14, "SHM_INFO"), (15, "SHM_STAT_ANY"),
    ], "SHM_???");

    public static readonly EnumNames SemctlCommands = new([
        .. Common, (11, "GETPID"), (12, "GETVAL"), (13, "GETALL"), (14, "GETNCNT"), (15, "GETZCNT"), (16, "SETVAL"),
        (17, "SETALL"), (18, "SEM_STAT"), (19, "SEM_INFO"), (20, "SEM_STAT_ANY"),
    ], "SEM_???");

    public static readonly EnumNames MsgctlCommands = new([
        .. Common, (11, "MSG_STAT"), (12, "MSG_INFO"), (13, "MSG_STAT_ANY"),
    ], "MSG_???");
}
