using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>File contents without a guest buffer: sizes, syncing, preallocation, hints and in-kernel copies.</summary>
public static unsafe class FileDataSyscalls
{
    public static long Truncate(in SyscallContext c)
    {
        int err = c.Kernel.Paths.Resolve(c, c.A0, 0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Truncate, (long)path, (long)c.A1);
    }

    public static long Ftruncate(in SyscallContext c) => Sys.Call(HostNr.Ftruncate, (long)c.A0, (long)c.A1);

    public static long Fsync(in SyscallContext c) => Sys.Call(HostNr.Fsync, (long)c.A0);

    public static long Fdatasync(in SyscallContext c) => Sys.Call(HostNr.Fdatasync, (long)c.A0);

    public static long Sync(in SyscallContext c) => Sys.Call(HostNr.Sync);

    public static long Syncfs(in SyscallContext c) => Sys.Call(HostNr.Syncfs, (long)c.A0);

    public static long Fadvise64(in SyscallContext c) => Sys.Call(HostNr.Fadvise64, (long)c.A0, (long)c.A1, (long)c.A2, (long)c.A3);

    public static long Fallocate(in SyscallContext c) => Sys.Call(HostNr.Fallocate, (long)c.A0, (long)c.A1, (long)c.A2, (long)c.A3);

    public static long Readahead(in SyscallContext c) => Sys.Call(HostNr.Readahead, (long)c.A0, (long)c.A1, (long)c.A2);

    public static long SyncFileRange(in SyscallContext c) => Sys.Call(HostNr.SyncFileRange, (long)c.A0, (long)c.A1, (long)c.A2, (long)c.A3);

    /// <summary>sendfile(out_fd, in_fd, off_t* offset, count): the optional offset is read and updated in place.</summary>
    public static long Sendfile(in SyscallContext c)
    {
        byte* offset = c.OutOrNull(c.A2, 8);
        return SignalSendSyscalls.PipeCheck(c, Sys.Call(HostNr.Sendfile, (long)c.A0, (long)c.A1, (long)offset, (long)c.A3));
    }

    /// <summary>copy_file_range(fd_in, loff_t* off_in, fd_out, loff_t* off_out, len, flags).</summary>
    public static long CopyFileRange(in SyscallContext c)
    {
        byte* offIn = c.OutOrNull(c.A1, 8), offOut = c.OutOrNull(c.A3, 8);
        return Sys.Call(HostNr.CopyFileRange, (long)c.A0, (long)offIn, (long)c.A2, (long)offOut, (long)c.A4, (long)c.A5);
    }

    /// <summary>splice(fd_in, loff_t* off_in, fd_out, loff_t* off_out, len, flags).</summary>
    public static long Splice(in SyscallContext c)
    {
        byte* offIn = c.OutOrNull(c.A1, 8), offOut = c.OutOrNull(c.A3, 8);
        return SignalSendSyscalls.PipeCheck(c, Sys.Call(HostNr.Splice, (long)c.A0, (long)offIn, (long)c.A2, (long)offOut, (long)c.A4, (long)c.A5));
    }

    public static long Tee(in SyscallContext c) => Sys.Call(HostNr.Tee, (long)c.A0, (long)c.A1, (long)c.A2, (long)c.A3);
}
