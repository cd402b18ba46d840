namespace UserEmu.Engine;

/// <summary>Why a translated block returned to the dispatch loop; the next guest PC is in the vCPU state.</summary>
public enum BlockExit
{
    /// <summary>Continue at the PC in the state.</summary>
    Next = 0,
    /// <summary>The guest executed a system call instruction; the PC already points past it.</summary>
    Syscall = 1,
}
