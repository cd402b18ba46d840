using UserEmu.Engine;
using UserEmu.Host;
using UserEmu.Memory;
using UserEmu.Syscalls.Abi.X86_64;
using UserEmu.Syscalls.Table;

namespace UserEmu.Syscalls;

/// <summary>Observes syscalls around their execution (the strace formatter); called on the guest thread.</summary>
public interface ISyscallTracer
{
    void OnEnter(in SyscallContext c, SyscallEntry? entry);
    /// <summary>Not called when the call does not return (exit, exit_group, a fatal signal).</summary>
    void OnExit(in SyscallContext c, SyscallEntry? entry, long result);
}

/// <summary>The x86-64 Linux syscall ABI: number in RAX, arguments in RDI, RSI, RDX, R10, R8, R9, result in RAX.</summary>
public sealed unsafe class X86_64SyscallBridge : ISyscallBridge
{
    const int RAX = 0, RDI = 7, RSI = 6, RDX = 2, R10 = 10, R8 = 8, R9 = 9;
    const ulong RtSigreturn = 15;

    static readonly Lazy<SyscallTable> s_table = new(X86_64Syscalls.Build);

    /// <summary>The x86-64 table (names, argument kinds, classes, handlers), shared by every process.</summary>
    public static SyscallTable Table => s_table.Value;

    readonly SyscallTable _table;
    public KernelState Kernel { get; }

    /// <summary>Set to trace calls (strace); null costs one test per call.</summary>
    public ISyscallTracer? Tracer { get; set; }

    public X86_64SyscallBridge(GuestProcess process)
    {
        _table = Table;
        Kernel = new KernelState(process);
    }

    public void Dispatch(Vcpu cpu)
    {
        var s = cpu.State;
        ulong nr = s->Gpr[RAX];
        var c = new SyscallContext(cpu, Kernel, nr, s->Gpr[RDI], s->Gpr[RSI], s->Gpr[RDX], s->Gpr[R10], s->Gpr[R8], s->Gpr[R9]);
        var entry = _table[nr];
        var tracer = Tracer;
        tracer?.OnEnter(c, entry);
        long r;
        if (entry?.Handler != null && (entry.UsedFdArgs | entry.DirFdArgs) != 0 && EmulatorFds.Any && NamesEmulatorFd(c, entry))
        {
            r = -Errno.EBADF; // the guest never opened it: the emulator's descriptors are invisible to it
        }
        else if (entry?.Handler is { } handler)
        {
            while (true)
            {
                cpu.InHostCall = 1;
                try
                {
                    r = handler(c);
                }
                catch (GuestFaultException)
                {
                    // A guest pointer the kernel would fail copy_from_user/copy_to_user on.
                    r = -Errno.EFAULT;
                }
                catch (GuestNameTooLongException)
                {
                    r = -Errno.ENAMETOOLONG;
                }
                finally
                {
                    cpu.InHostCall = 0;
                }
                // rt_sigreturn hands back the interrupted code's RAX, which may well be -EINTR.
                if (nr == RtSigreturn) break;
                // A handler may name its restart rule (-ERESTART*); a plain -EINTR gets the rule of its syscall.
                var restart = r is >= -(long)SyscallRestart.UnlessHandler and <= -(long)SyscallRestart.UnlessHandlerWithoutRestart
                    ? (SyscallRestart)(-r) : SyscallRestarts.For(nr);
                if (r != -Errno.EINTR && (long)restart != -r) break;
                r = -Errno.EINTR;
                if (cpu.HasDeliverableSignal)
                {
                    // Interrupted for a guest signal: its delivery decides between EINTR and a restart.
                    cpu.PendingRestart = restart;
                    cpu.RestartNumber = nr;
                    cpu.SignalPending = true;
                    break;
                }
                // Woken for a signal that another thread took, or by a host signal: the guest never saw a reason to stop.
            }
        }
        else
        {
            r = Unsupported(nr, entry);
        }
        s->Gpr[RAX] = (ulong)r;
        tracer?.OnExit(c, entry, r);
    }

    /// <summary>True if the call would act on an emulator descriptor: a used fd, or a directory fd a relative or NULL path goes through.</summary>
    static bool NamesEmulatorFd(in SyscallContext c, SyscallEntry entry)
    {
        int fds = entry.UsedFdArgs, dirFds = entry.DirFdArgs;
        for (int i = 0; (fds | dirFds) != 0; i++, fds >>= 1, dirFds >>= 1)
        {
            if (((fds | dirFds) & 1) == 0 || !EmulatorFds.IsEmulator((int)c.Arg(i))) continue;
            if ((fds & 1) != 0) return true;
            ulong path = c.Arg(i + 1);
            if (path == 0) return true;
            if (c.Mem.IsAccessible(path, 1, PageFlags.Read) && c.Mem.Read8(path) != (byte)'/') return true;
        }
        return false;
    }

    long Unsupported(ulong nr, SyscallEntry? entry)
    {
        // Numbers with the x32 bit, gaps in the table and numbers past its end are ENOSYS for a real kernel too.
        string name = entry?.Name ?? "unknown";
        Kernel.Warnings.Once(entry != null ? name : "#" + nr, $"useremu: unsupported syscall {(long)nr} ({name})");
        return -Errno.ENOSYS;
    }
}
