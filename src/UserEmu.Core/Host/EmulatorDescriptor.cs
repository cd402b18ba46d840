namespace UserEmu.Host;

/// <summary>An output descriptor the emulator keeps for itself (its stderr copy, strace's output): above the guest's numbers, close-on-exec, hidden from the guest, and moved when a guest dup2 or dup3 takes its number.</summary>
public sealed unsafe class EmulatorDescriptor
{
    const long SysWrite = 1, EINTR = 4;

    volatile int _fd;

    EmulatorDescriptor(int fd)
    {
        _fd = fd;
        EmulatorFds.BeforeGuestTakes += Relocate;
    }

    /// <summary>A private copy of <paramref name="fd"/> (descriptor 2), which the guest's close or dup2 of its own number does not move; <paramref name="fd"/> itself where the host refuses a copy.</summary>
    public static EmulatorDescriptor CopyOf(int fd)
    {
        int copy = EmulatorFds.CopyAboveGuest(fd);
        return new EmulatorDescriptor(copy >= 0 ? copy : fd);
    }

    /// <summary>Takes over <paramref name="fd"/>, a file the emulator just opened (see <see cref="EmulatorFds.MoveAboveGuest"/>).</summary>
    public static EmulatorDescriptor Adopt(int fd) => new(EmulatorFds.MoveAboveGuest(fd));

    /// <summary>Writes all of <paramref name="data"/>, again after a signal interrupts; a closed or broken descriptor loses it (as Console would).</summary>
    public void WriteAll(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            for (int done = 0; done < data.Length;)
            {
                long n = LibC.syscall(SysWrite, _fd, (long)(p + done), data.Length - done, 0, 0, 0);
                if (n > 0) done += (int)n;
                else if (n == 0 || LibC.Errno != EINTR) return;
            }
        }
    }

    void Relocate(int fd)
    {
        if (fd != _fd) return;
        int moved = EmulatorFds.CopyAboveGuest(fd);
        if (moved >= 0) _fd = moved;
    }
}
