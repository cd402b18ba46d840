namespace UserEmu.Syscalls.Handlers;

/// <summary>The System V IPC commands and the guest's structure sizes (x86-64: the kernel's 64-bit layouts, the same as the host's).</summary>
/// <remarks>
/// The x86-64 guest hands the host its structures in place. A guest ABI with other layouts (i386's 32-bit times
/// and ipc_perm, the old IPC_OLD versions) would convert at the points that use these sizes: <see cref="CtlBufferSize"/>
/// says which commands read or write a structure, and how large it is.
/// </remarks>
public static class SysVIpcAbi
{
    public const int IPC_CREAT = 0x200, IPC_EXCL = 0x400, IPC_NOWAIT = 0x800;
    public const int IPC_RMID = 0, IPC_SET = 1, IPC_STAT = 2, IPC_INFO = 3;
    public const int SHM_LOCK = 11, SHM_UNLOCK = 12, SHM_STAT = 13, SHM_INFO = 14, SHM_STAT_ANY = 15;
    public const int GETPID = 11, GETVAL = 12, GETALL = 13, GETNCNT = 14, GETZCNT = 15, SETVAL = 16, SETALL = 17,
        SEM_STAT = 18, SEM_INFO = 19, SEM_STAT_ANY = 20;
    public const int MSG_STAT = 11, MSG_INFO = 12, MSG_STAT_ANY = 13;
    public const int SHM_RDONLY = 0x1000, SHM_RND = 0x2000, SHM_REMAP = 0x4000, SHM_EXEC = 0x8000;
    public const int MSG_NOERROR = 0x1000, MSG_EXCEPT = 0x2000, MSG_COPY = 0x4000;
    public const int SEM_UNDO = 0x1000;

    /// <summary>SHMLBA: shmat's attach alignment (a page on x86-64).</summary>
    public const ulong ShmLba = 4096;

    /// <summary>struct ipc64_perm.</summary>
    public const int IpcPermSize = 48;
    /// <summary>struct shmid64_ds; shm_segsz at offset 48.</summary>
    public const int ShmidDsSize = 112, ShmSegszOffset = 48;
    /// <summary>struct semid64_ds; sem_nsems at offset 80.</summary>
    public const int SemidDsSize = 104, SemNsemsOffset = 80;
    public const int MsqidDsSize = 120;
    /// <summary>struct shminfo64 (IPC_INFO) and struct shm_info (SHM_INFO).</summary>
    public const int ShmInfoSize = 72, ShmStatsSize = 48;
    /// <summary>struct seminfo (IPC_INFO, SEM_INFO) and struct msginfo (IPC_INFO, MSG_INFO).</summary>
    public const int SemInfoSize = 40, MsgInfoSize = 32;
    /// <summary>struct sembuf { unsigned short sem_num; short sem_op; short sem_flg; }.</summary>
    public const int SembufSize = 6;
    /// <summary>The long mtype that starts struct msgbuf.</summary>
    public const int MsgTypeSize = 8;

    /// <summary>Which way a ctl command moves a structure through its pointer argument.</summary>
    public enum Transfer : byte { None, In, Out }

    /// <summary>The structure size and direction of a shmctl command (0 and None when the pointer is not used).</summary>
    public static int ShmctlBuffer(int cmd, out Transfer dir) => CtlBufferSize(cmd, ShmidDsSize, ShmInfoSize, out dir, cmd switch
    {
        SHM_STAT or SHM_STAT_ANY => ShmidDsSize,
        SHM_INFO => ShmStatsSize,
        _ => 0,
    });

    /// <summary>The structure size and direction of a msgctl command.</summary>
    public static int MsgctlBuffer(int cmd, out Transfer dir) => CtlBufferSize(cmd, MsqidDsSize, MsgInfoSize, out dir, cmd switch
    {
        MSG_STAT or MSG_STAT_ANY => MsqidDsSize,
        MSG_INFO => MsgInfoSize,
        _ => 0,
    });

    /// <summary>The structure size and direction of a semctl command whose union semun argument is a pointer to a structure (not GETALL/SETALL).</summary>
    public static int SemctlBuffer(int cmd, out Transfer dir) => CtlBufferSize(cmd, SemidDsSize, SemInfoSize, out dir, cmd switch
    {
        SEM_STAT or SEM_STAT_ANY => SemidDsSize,
        SEM_INFO => SemInfoSize,
        _ => 0,
    });

    // The commands every ctl shares, then the call's own "stat"/"info" commands, which all write.
    static int CtlBufferSize(int cmd, int dsSize, int infoSize, out Transfer dir, int ownOut)
    {
        switch (cmd)
        {
            case IPC_STAT: dir = Transfer.Out; return dsSize;
            case IPC_SET: dir = Transfer.In; return dsSize;
            case IPC_INFO: dir = Transfer.Out; return infoSize;
        }
        dir = ownOut != 0 ? Transfer.Out : Transfer.None;
        return ownOut;
    }
}
