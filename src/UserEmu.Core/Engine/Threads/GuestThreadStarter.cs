using System.Runtime.InteropServices;
using UserEmu.Cpu.X86;
using UserEmu.Host;

namespace UserEmu.Engine.Threads;

/// <summary>clone() flags and addresses for a new thread in the same address space.</summary>
public readonly record struct CloneRequest(ulong Flags, ulong Stack, ulong ParentTid, ulong ChildTid, ulong Tls)
{
    public const ulong CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800, CLONE_PIDFD = 0x1000,
        CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000, CLONE_THREAD = 0x10000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000,
        CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000,
        CLONE_CHILD_SETTID = 0x1000000;
}

/// <summary>Starts guest threads: each is a vCPU with a copy of its creator's registers, on its own host thread (as KVM and QEMU do).</summary>
public static unsafe partial class GuestThreadStarter
{
    [LibraryImport("libc")]
    private static partial int gettid();

    /// <summary>Host thread stack: the dispatch loop, interpreter temps and helpers, not the guest's stack.</summary>
    const int HostStackSize = 1 << 20;

    /// <summary>Creates the thread and returns its tid once it exists (clone's return value in the parent).</summary>
    public static int Start(Vcpu parent, CloneRequest req)
    {
        var proc = parent.Process;
        proc.StopProtectingCodePages();
        var child = new Vcpu(proc);
        *child.State = *parent.State;
        child.State->Gpr[CpuState.RAX] = 0;
        if (req.Stack != 0) child.State->Gpr[CpuState.RSP] = req.Stack;
        if ((req.Flags & CloneRequest.CLONE_SETTLS) != 0) child.State->FsBase = req.Tls;
        child.SignalMask = parent.SignalMask;
        // A new thread starts with no alternate signal stack (the kernel clears it for CLONE_VM without CLONE_VFORK).
        if ((req.Flags & CloneRequest.CLONE_CHILD_CLEARTID) != 0) child.ClearChildTid = req.ChildTid;
        proc.Threads.Add(child);

        using var started = new ManualResetEventSlim();
        var thread = new Thread(() => Body(child, req, started), HostStackSize) { IsBackground = true, Name = "guest thread" };
        thread.Start();
        started.Wait();
        return child.Tid;
    }

    static void Body(Vcpu cpu, CloneRequest req, ManualResetEventSlim started)
    {
        cpu.Tid = gettid();
        try
        {
            if ((req.Flags & CloneRequest.CLONE_PARENT_SETTID) != 0) cpu.Memory.Write32(req.ParentTid, (uint)cpu.Tid);
            if ((req.Flags & CloneRequest.CLONE_CHILD_SETTID) != 0) cpu.Memory.Write32(req.ChildTid, (uint)cpu.Tid);
        }
        catch (Memory.GuestFaultException)
        {
            // The kernel ignores faults on these writes too.
        }
        started.Set();
        int status = Run(cpu);
        Exit(cpu, status);
    }

    /// <summary>Runs a vCPU until its thread exits; exit_group and fatal signals end the whole process from here.</summary>
    public static int Run(Vcpu cpu)
    {
        try
        {
            int groupStatus = new CpuLoop(cpu).Run();
            RobustList.CleanupAll(cpu.Process);
            cpu.Process.Options.Log.Flush();
            HostExit.ExitProcess(groupStatus);
            return groupStatus;
        }
        catch (GuestThreadExitException e)
        {
            return e.Status;
        }
        catch (GuestTerminatedBySignalException s)
        {
            RobustList.CleanupAll(cpu.Process);
            cpu.Process.Options.Log.Flush();
            HostExit.DieBySignal(s.Signal);
            return 128 + s.Signal;
        }
    }

    /// <summary>Thread exit: robust futexes are released, clear_child_tid is zeroed and its futex woken (pthread_join waits on it), then the thread leaves the group.</summary>
    public static void Exit(Vcpu cpu, int status)
    {
        RobustList.Cleanup(cpu);
        if (cpu.ClearChildTid != 0)
        {
            try
            {
                cpu.Memory.Write32(cpu.ClearChildTid, 0);
                cpu.Process.Futexes.WakeShared(cpu.ClearChildTid, 1);
            }
            catch (Memory.GuestFaultException)
            {
            }
        }
        cpu.Process.Threads.Remove(cpu, status);
        // A process-directed signal this thread was picked for but never took goes to the threads that remain.
        if (cpu.Process.Signals.SharedPendingSet() != 0)
            foreach (var t in cpu.Process.Threads.Snapshot()) t.Notify();
    }
}
