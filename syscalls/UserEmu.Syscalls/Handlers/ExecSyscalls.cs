using System.Globalization;
using System.Runtime.InteropServices;
using UserEmu.Engine.Proc;
using UserEmu.Host;
using System.Text;
using UserEmu.Loader;
using UserEmu.Syscalls.Host;
using UserEmu.Syscalls.Paths;

namespace UserEmu.Syscalls.Handlers;

/// <summary>execve and execveat: the new program keeps running under the emulator, which host-execs itself.</summary>
/// <remarks>
/// Every check that can make a native execve fail (ENOENT, EACCES, ENOEXEC, E2BIG, a missing ELF interpreter, #!
/// loops) is made first by <see cref="ExecResolver"/>, since after the host exec there is no caller to fail to. Then
/// the emulator replaces itself: <see cref="Engine.GuestProcess.ReexecCommand"/> (this emulator with its options),
/// -0 argv[0], and the program with its arguments; the environment is the guest's envp exactly. #! scripts are
/// resolved here with the kernel's argument rules, so their interpreter runs emulated too. The host exec closes the
/// guest's O_CLOEXEC descriptors, ends the other threads and keeps pid, parent, process group and the rest, as the
/// kernel does.
/// </remarks>
public static unsafe class ExecSyscalls
{
    const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;
    const int HostExecve = 59;

    public static long Execve(in SyscallContext c) => Exec(c, AT_FDCWD, c.A0, c.A1, c.A2, 0);

    public static long Execveat(in SyscallContext c) => Exec(c, (int)c.A0, c.A1, c.A2, c.A3, (int)c.A4);

    static long Exec(in SyscallContext c, int dirfd, ulong pathAddr, ulong argvAddr, ulong envpAddr, int flags)
    {
        if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
        long len = c.CString(pathAddr, GuestPaths.PathMax, out byte* raw);
        if (len < 0) return len;
        string filename = GuestText.Decode(new ReadOnlySpan<byte>(raw, (int)len));
        ulong total = 0;
        long err = ReadStrings(c, argvAddr, ref total, out var argv);
        if (err != 0) return err;
        err = ReadStrings(c, envpAddr, ref total, out var envp);
        if (err != 0) return err;
        if (total > InitialStack.ArgSpaceLimit) return -Errno.E2BIG;
        // Since Linux 5.18 an empty argv gets an empty argv[0].
        if (argv.Length == 0) argv = [""];

        var proc = c.Process;
        if (proc.ReexecCommand.Length == 0)
        {
            c.Kernel.Warnings.Once("execve", "useremu: execve is unavailable (the emulator was not started from its command line)");
            return -Errno.ENOSYS;
        }
        long found = HostPath(c, dirfd, filename, flags, out string hostPath);
        if (found != 0) return found;

        ExecPlan plan;
        try
        {
            plan = ExecResolver.Resolve(hostPath, filename, argv, proc.Options.SysRoot, c.Mem.Limit);
        }
        catch (ExecFormatException e)
        {
            return -e.Errno;
        }

        // Ignored signals and the blocked mask survive execve; handled signals go back to their default.
        string ignored = InheritedSignals.Ignored(proc.Signals).ToString("x", CultureInfo.InvariantCulture);
        string blocked = c.Cpu.SignalMask.ToString("x", CultureInfo.InvariantCulture);
        proc.Options.Log.Flush();
        HostStderr.Messages.Flush();
        proc.CodeStore?.Commit();
        long guestDescriptorLimit = EmulatorFds.RaiseDescriptorLimitForExec();
        var (guestFds, placeholders) = EmulatorFds.PrepareExec();
        string[] descriptorLimit = guestDescriptorLimit >= 0 ? ["-guest-nofile", guestDescriptorLimit.ToString(CultureInfo.InvariantCulture)] : [];
        string[] emulatedLimits = c.Kernel.Limits.Carried() is { } limits ? ["-guest-rlimits", limits] : [];
        string[] itimers = c.Kernel.Timers.CarriedItimers() is { } armed ? ["-guest-itimers", armed] : [];
        string[] hostArgv = [.. proc.ReexecCommand, "-ignored-signals", ignored, "-blocked-signals", blocked, "-guest-fds", guestFds,
            .. descriptorLimit, .. emulatedLimits, .. itimers, "-0", plan.Argv[0], "--", plan.Program, .. plan.Argv.AsSpan(1)];
        // The new runtime runs without its debugger transport, whose blocked open would hold a descriptor number.
        if (!envp.Any(e => e.StartsWith("DOTNET_EnableDiagnostics=", StringComparison.Ordinal)))
        {
            envp = [.. envp, "DOTNET_EnableDiagnostics=0"];
            hostArgv = [.. proc.ReexecCommand, "-hide-env", "DOTNET_EnableDiagnostics", .. hostArgv.AsSpan(proc.ReexecCommand.Length)];
        }
        long r = HostExec.Run(hostArgv, envp);
        EmulatorFds.CancelExec(placeholders);
        EmulatorFds.RestoreDescriptorLimit(guestDescriptorLimit);
        return r;
    }

    /// <summary>The host path the new program is read from, or a negative errno.</summary>
    static long HostPath(in SyscallContext c, int dirfd, string filename, int flags, out string hostPath)
    {
        hostPath = filename;
        if (filename.Length == 0)
        {
            if ((flags & AT_EMPTY_PATH) == 0) return -Errno.ENOENT;
            if (dirfd == AT_FDCWD) return -Errno.EACCES; // the current directory is not a regular file
            hostPath = FdPath(dirfd, null);
        }
        else if (filename[0] == '/')
        {
            var bytes = Encoding.UTF8.GetBytes(filename);
            if (ProcOverlay.SelfFile(bytes, c.Kernel.Pid) == "exe") hostPath = c.Process.ExePath;
            else hostPath = SysRoot.Resolve(c.Process.Options.SysRoot, filename) ?? filename;
        }
        else if (dirfd != AT_FDCWD)
        {
            hostPath = FdPath(dirfd, filename);
        }
        if ((flags & AT_SYMLINK_NOFOLLOW) != 0 && filename.Length > 0)
        {
            try
            {
                if (new FileInfo(hostPath).LinkTarget != null) return -Errno.ELOOP;
            }
            catch (IOException)
            {
            }
        }
        return 0;
    }

    /// <summary>
    /// The path a descriptor names, so the new emulator can open it after the exec has closed a close-on-exec fd;
    /// a descriptor without a path (a memfd, a deleted file) is used through /proc/self/fd while it is still open.
    /// </summary>
    static string FdPath(int fd, string? relative)
    {
        string link = $"/proc/self/fd/{fd}";
        string? target = null;
        try
        {
            target = new FileInfo(link).LinkTarget;
        }
        catch (IOException)
        {
        }
        string dir = target != null && target.StartsWith('/') && (File.Exists(target) || Directory.Exists(target)) ? target : link;
        return relative == null ? dir : dir + "/" + relative;
    }

    /// <summary>A NULL-terminated guest array of string pointers (NULL itself is an empty array).</summary>
    static long ReadStrings(in SyscallContext c, ulong addr, ref ulong total, out string[] strings)
    {
        strings = [];
        if (addr == 0) return 0;
        var list = new List<string>();
        for (ulong at = addr; ; at += 8)
        {
            ulong p = c.Mem.Read64(at);
            if (p == 0) break;
            long len = c.CString(p, InitialStack.MaxArgStrlen + 1, out byte* s);
            if (len == -Errno.ENAMETOOLONG) return -Errno.E2BIG;
            if (len < 0) return len;
            total += (ulong)len + 1 + 8;
            if (total > InitialStack.ArgSpaceLimit) return -Errno.E2BIG;
            list.Add(GuestText.Decode(new ReadOnlySpan<byte>(s, (int)len)));
        }
        strings = list.ToArray();
        return 0;
    }
}
