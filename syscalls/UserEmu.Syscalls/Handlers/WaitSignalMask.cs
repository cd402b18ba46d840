using UserEmu.Engine;

namespace UserEmu.Syscalls.Handlers;

/// <summary>
/// The signal mask argument of pselect6, ppoll and epoll_pwait(2): in force for the wait only, as the kernel's
/// set_user_sigmask and restore_saved_sigmask_unless do.
/// </summary>
/// <remarks>
/// Guest signals are queued by the emulator, so the mask is the vCPU's: a signal it unblocks interrupts the host wait
/// through the kick (<see cref="Vcpu.Notify"/>), and one already pending ends the call at once with EINTR, before any
/// wait. After EINTR the old mask stays saved (<see cref="Vcpu.SavedMask"/>): the handler's frame records it and
/// sigreturn puts it back (make's jobserver relies on this: SIGCHLD is unblocked only inside pselect).
/// </remarks>
public static class WaitSignalMask
{
    /// <summary>Installs <paramref name="mask"/> (saving the current one); returns -EINTR if a signal is now deliverable.</summary>
    public static long Apply(Vcpu cpu, ulong mask)
    {
        if (!cpu.HasSavedMask)
        {
            cpu.SavedMask = cpu.SignalMask;
            cpu.HasSavedMask = true;
        }
        cpu.SetSignalMask(mask);
        return cpu.HasDeliverableSignal ? -Errno.EINTR : 0;
    }

    /// <summary>Ends the wait: unless it was interrupted, the saved mask comes back now.</summary>
    public static long Finish(Vcpu cpu, long result)
    {
        if (result != -Errno.EINTR && cpu.HasSavedMask)
        {
            cpu.HasSavedMask = false;
            cpu.SetSignalMask(cpu.SavedMask);
        }
        return result;
    }
}
