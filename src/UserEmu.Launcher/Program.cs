using System.Runtime.InteropServices;
using UserEmu.Host;

namespace UserEmu.Launcher;

/// <summary>
/// `useremu`: reserves descriptors 3-63 for the guest (its inherited ones stay, the free ones get placeholders) and
/// execs the engine with the same arguments, byte for byte, plus -guest-fds; the engine closes the placeholders once
/// its runtime has opened its files, so the guest numbers its descriptors as a native process would (EmulatorFds).
/// </summary>
static unsafe partial class Program
{
    const string Engine = "useremu-engine";
    const string DiagnosticsVariable = "DOTNET_EnableDiagnostics";

    static int Main()
    {
        string engine = Path.Combine(AppContext.BaseDirectory, Engine);
        var guestFds = new List<int>();
        for (int fd = 0; fd < DescriptorReservation.Top; fd++)
            if (DescriptorReservation.SurvivesExec(fd)) guestFds.Add(fd);
        // Descriptors above the reserved range are the guest's too, whatever their number (a shell's 10 or 255).
        foreach (int fd in OpenAbove(DescriptorReservation.Top))
            if (DescriptorReservation.SurvivesExec(fd)) guestFds.Add(fd);
        var placeholders = DescriptorReservation.Fill(guestFds.Contains);

        var argv = new List<byte[]> { Utf8(engine) };
        var envp = ProcList("/proc/self/environ");
        // The engine's runtime runs without its debugger transport (a thread blocked opening a FIFO, holding a
        // descriptor); the variable is the emulator's, not the guest's, unless the user set it.
        if (Environment.GetEnvironmentVariable(DiagnosticsVariable) == null)
        {
            argv.AddRange([Utf8("-hide-env"), Utf8(DiagnosticsVariable)]);
            envp.Add(Utf8(DiagnosticsVariable + "=0"));
        }
        argv.AddRange([Utf8("-guest-fds"), Utf8(string.Join(',', guestFds))]);
        argv.AddRange(ProcList("/proc/self/cmdline").Skip(1));

        DescriptorReservation.GrowTableForExec();
        int errno = Exec(argv, envp);
        DescriptorReservation.Release(placeholders);
        var message = Utf8($"useremu: cannot run the emulator engine {engine}: {Marshal.GetPInvokeErrorMessage(errno)}\n");
        fixed (byte* p = message) write(2, p, message.Length);
        return 127;
    }

    static List<int> OpenAbove(int floor)
    {
        var fds = new List<int>();
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            if (int.TryParse(Path.GetFileName(entry), out int fd) && fd >= floor) fds.Add(fd);
        return fds;
    }

    /// <summary>A NUL-separated /proc file (cmdline, environ) as its raw items: arguments are passed on unchanged, whatever their encoding.</summary>
    static List<byte[]> ProcList(string path)
    {
        var raw = File.ReadAllBytes(path);
        var items = new List<byte[]>();
        for (int start = 0, i = 0; i < raw.Length; i++)
        {
            if (raw[i] != 0) continue;
            items.Add(raw[start..i]);
            start = i + 1;
        }
        return items;
    }

    static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    /// <summary>execve(argv[0], argv, envp); returns the errno when it fails.</summary>
    static int Exec(List<byte[]> argv, List<byte[]> envp)
    {
        var hostArgv = Pack(argv);
        var hostEnvp = Pack(envp);
        execve(hostArgv[0], hostArgv, hostEnvp);
        return Marshal.GetLastPInvokeError();
    }

    /// <summary>A NULL-terminated array of NUL-terminated strings in unmanaged memory (the exec replaces the process, or the launcher exits).</summary>
    static byte** Pack(List<byte[]> items)
    {
        var array = (byte**)NativeMemory.Alloc((nuint)(items.Count + 1), (nuint)sizeof(nint));
        for (int i = 0; i < items.Count; i++)
        {
            var s = (byte*)NativeMemory.Alloc((nuint)items[i].Length + 1);
            items[i].CopyTo(new Span<byte>(s, items[i].Length));
            s[items[i].Length] = 0;
            array[i] = s;
        }
        array[items.Count] = null;
        return array;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int execve(byte* path, byte** argv, byte** envp);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, byte* buf, nint count);
}
