using UserEmu.Engine.Threads;

namespace UserEmu.Syscalls.Handlers;

/// <summary>clone and clone3: new threads of this process, each a vCPU on its own host thread sharing the address space.</summary>
/// <remarks>Clones without CLONE_VM (fork-like) and CLONE_VFORK are process creation, done by <see cref="ForkSyscalls"/>.</remarks>
public static class CloneSyscalls
{
    const ulong CSIGNAL = 0xff;
    const ulong CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x02000000, CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000,
        CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000, CLONE_IO = 0x80000000,
        CLONE_CLEAR_SIGHAND = 0x100000000, CLONE_INTO_CGROUP = 0x200000000, CLONE_UNTRACED = 0x00800000;
    const ulong Namespaces = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;
    /// <summary>Sizes of struct clone_args: VER0 (up to tls), VER1 (set_tid), VER2 (cgroup).</summary>
    const ulong CloneArgsVer0 = 64, CloneArgsMax = 88;

    /// <summary>clone(flags, stack, parent_tid, child_tid, tls): the x86-64 argument order.</summary>
    public static long Clone(in SyscallContext c) =>
        Dispatch(c, new CloneRequest(c.A0 & ~CSIGNAL, c.A1, c.A2, c.A3, c.A4), (int)(c.A0 & CSIGNAL));

    /// <summary>clone3(args, size): struct clone_args {flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup}.</summary>
    public static long Clone3(in SyscallContext c)
    {
        ulong size = c.A1;
        if (size < CloneArgsVer0 || size > 4096) return -Errno.EINVAL;
        var m = c.Mem;
        ulong a = c.A0;
        // Fields this kernel does not know must be zero (copy_struct_from_user gives E2BIG otherwise).
        for (ulong off = CloneArgsMax; off + 8 <= size; off += 8)
            if (m.Read64(a + off) != 0) return -Errno.E2BIG;
        ulong flags = m.Read64(a), childTid = m.Read64(a + 16), parentTid = m.Read64(a + 24), exitSignal = m.Read64(a + 32);
        ulong stack = m.Read64(a + 40), stackSize = m.Read64(a + 48), tls = m.Read64(a + 56);
        ulong setTidSize = size >= 80 ? m.Read64(a + 72) : 0;
        if (exitSignal > 64 || (stack == 0) != (stackSize == 0) || setTidSize != 0) return -Errno.EINVAL;
        if ((flags & CSIGNAL) != 0) return -Errno.EINVAL;
        if ((flags & CLONE_CLEAR_SIGHAND) != 0 && (flags & CloneRequest.CLONE_SIGHAND) != 0) return -Errno.EINVAL;
        // The stack grows down from the top of the area clone3 is given.
        return Dispatch(c, new CloneRequest(flags, stack == 0 ? 0 : stack + stackSize, parentTid, childTid, tls), (int)exitSignal);
    }

    static long Dispatch(in SyscallContext c, CloneRequest req, int exitSignal)
    {
        ulong f = req.Flags;
        // The kernel's consistency rules (copy_process): threads share signal handlers, which needs a shared VM.
        if ((f & CloneRequest.CLONE_THREAD) != 0 && (f & CloneRequest.CLONE_SIGHAND) == 0) return -Errno.EINVAL;
        if ((f & CloneRequest.CLONE_SIGHAND) != 0 && (f & CloneRequest.CLONE_VM) == 0) return -Errno.EINVAL;
        if ((f & Namespaces) != 0)
        {
            c.Kernel.Warnings.Once("clone-ns", "useremu: clone with new namespaces is not supported");
            return -Errno.ENOSYS;
        }
        if ((f & CloneRequest.CLONE_VM) == 0 || (f & CloneRequest.CLONE_VFORK) != 0)
            return ForkSyscalls.Fork(c, f | (ulong)exitSignal, req.Stack, req.ParentTid, req.ChildTid, req.Tls); // fork, vfork, posix_spawn
        if ((f & CloneRequest.CLONE_THREAD) == 0)
        {
            // A separate process sharing our memory: its own pid, exit signal and wait status; not emulated.
            c.Kernel.Warnings.Once("clone-vm-process", "useremu: clone with CLONE_VM but without CLONE_THREAD is not supported");
            return -Errno.ENOSYS;
        }
        if ((f & CloneRequest.CLONE_SETTLS) != 0 && req.Tls >= 0x7FFFFFFFF000UL) return -Errno.EPERM;
        if ((f & CloneRequest.CLONE_PIDFD) != 0)
        {
            c.Kernel.Warnings.Once("clone-pidfd", "useremu: CLONE_PIDFD is not supported");
            return -Errno.ENOSYS;
        }
        _ = exitSignal; // A thread sends no signal to anyone when it exits.
        return GuestThreadStarter.Start(c.Cpu, req);
    }
}
