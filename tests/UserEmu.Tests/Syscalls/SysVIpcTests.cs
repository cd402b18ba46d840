using UserEmu.Tests.EndToEnd;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Syscalls;

/// <summary>System V IPC (shared memory, semaphores, message queues) against the native run of the same program.</summary>
/// <remarks>The programs remove every segment, semaphore set and queue they create, natively and emulated.</remarks>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SysVIpcTests
{
    /// <summary>
    /// shm shared with a forked child, shmat at 0, at a fixed address, over a mapping (SHM_REMAP), SHM_RND, SHM_RDONLY
    /// (a write is SIGSEGV) and SHM_EXEC, shmdt of a split attachment, IPC_RMID while attached, the /proc/self/maps lines, detach at exec, errors.
    /// </summary>
    [Fact]
    public void SharedMemoryBehavesAsNative()
    {
        string exe = GuestProgram.Build("Syscalls/Programs/sysv_shm.c", "-O2", "-w");
        var r = NativeOracle.AssertSameAsNative(exe, [], timeoutMs: 120_000);
        Assert.Contains("child reads: parent wrote / tail", r.Stdout);
        Assert.Contains("parent reads: child wrote", r.Stdout);
        Assert.Contains("rdonly writer: signal Segmentation fault", r.Stdout);
        Assert.Contains("name=/SYSV00000000 (deleted) col=73", r.Stdout);
        Assert.Contains("keyed segment named by its key: 1", r.Stdout);
        Assert.Contains("after exec: segsz=4096 nattch=0", r.Stdout);
        Assert.Contains("SHM_EXEC call: 42", r.Stdout);
        Assert.Contains("call without SHM_EXEC: signal Segmentation fault", r.Stdout);
    }

    /// <summary>Semaphores across fork (a blocked semop, SEM_UNDO at exit, EINTR) and message queues (type selection, a blocked receiver, errors).</summary>
    [Fact]
    public void SemaphoresAndMessageQueuesBehaveAsNative()
    {
        string exe = GuestProgram.Build("Syscalls/Programs/sysv_sem_msg.c", "-O2", "-w");
        var r = NativeOracle.AssertSameAsNative(exe, [], timeoutMs: 120_000);
        Assert.Contains("semop waits for the child: ok", r.Stdout);
        Assert.Contains("undone at exit: 7", r.Stdout);
        Assert.Contains("msgrcv -2: len=3 mtype=1 text=one", r.Stdout);
        Assert.Contains("msgrcv 9: len=9 mtype=9 text=for child", r.Stdout);
    }
}
