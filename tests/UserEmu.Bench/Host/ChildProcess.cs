using System.Collections;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace UserEmu.Bench.Host;

/// <summary>How a child ended: wall time from spawn to exit, exit code or signal, and its peak RSS from wait4.</summary>
sealed record ChildExit(TimeSpan Wall, int ExitCode, int Signal, bool TimedOut, long MaxRssKb, string? SpawnError = null)
{
    public bool Succeeded => SpawnError == null && !TimedOut && Signal == 0 && ExitCode == 0;

    public string Status =>
        SpawnError != null ? $"not started: {SpawnError}" :
        TimedOut ? $"timeout after {Wall.TotalSeconds:F1} s" :
        Signal != 0 ? $"signal {Signal}" : $"exit {ExitCode}";

    /// <summary>Decodes a wait(2) status word: low 7 bits the terminating signal, else the exit code in bits 8-15.</summary>
    public static ChildExit FromWaitStatus(TimeSpan wall, int status, bool timedOut, long maxRssKb)
    {
        int signal = status & 0x7f;
        return new ChildExit(wall, signal == 0 ? (status >> 8) & 0xff : 0, signal, timedOut, maxRssKb);
    }
}

/// <summary>Starts one program with its standard streams on files and waits for it, with an optional time limit.</summary>
/// <remarks>Its rusage carries the harness's own resident size (see Host/measure.c): workloads go through <see cref="MeasureWrapper"/>.</remarks>
static unsafe class ChildProcess
{
    /// <summary>Runs argv (argv[0] a full path) with the harness's environment and <paramref name="extraEnvironment"/>; stdout and stderr are truncated first.</summary>
    public static ChildExit Run(IReadOnlyList<string> argv, string stdinPath, string stdoutPath, string stderrPath, TimeSpan? timeout,
        IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var strings = new List<nint>();
        byte* Utf8(string s) { nint p = Marshal.StringToCoTaskMemUTF8(s); strings.Add(p); return (byte*)p; }
        byte** Vector(IReadOnlyList<string> items)
        {
            var v = (byte**)NativeMemory.AllocZeroed((nuint)(items.Count + 1), (nuint)sizeof(nint));
            for (int i = 0; i < items.Count; i++) v[i] = Utf8(items[i]);
            return v;
        }

        byte** av = Vector(argv);
        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
        foreach (var (name, value) in extraEnvironment ?? new Dictionary<string, string>()) environment[name] = value;
        byte** ev = Vector(environment.Select(e => $"{e.Key}={e.Value}").ToList());
        void* fa = NativeMemory.AllocZeroed(Posix.FileActionsSize);
        void* attr = NativeMemory.AllocZeroed(Posix.SpawnAttrSize);
        void* sigdef = NativeMemory.AllocZeroed(Posix.SigSetSize);
        void* sigmask = NativeMemory.AllocZeroed(Posix.SigSetSize);
        try
        {
            Posix.posix_spawn_file_actions_init(fa);
            Posix.posix_spawn_file_actions_addopen(fa, 0, Utf8(stdinPath), Posix.O_RDONLY, 0);
            Posix.posix_spawn_file_actions_addopen(fa, 1, Utf8(stdoutPath), Posix.O_WRONLY | Posix.O_CREAT | Posix.O_TRUNC, 0x1a4);
            Posix.posix_spawn_file_actions_addopen(fa, 2, Utf8(stderrPath), Posix.O_WRONLY | Posix.O_CREAT | Posix.O_TRUNC, 0x1a4);
            Posix.posix_spawnattr_init(attr);
            // The .NET runtime ignores SIGPIPE and a child inherits ignored signals: give it the default back,
            // and an empty signal mask, so a workload runs as it would from a shell.
            Posix.sigemptyset(sigdef);
            Posix.sigaddset(sigdef, Posix.SIGPIPE);
            Posix.sigemptyset(sigmask);
            Posix.posix_spawnattr_setsigdefault(attr, sigdef);
            Posix.posix_spawnattr_setsigmask(attr, sigmask);
            // Its own process group, so a timeout also kills what it started (gcc's cc1 and as).
            Posix.posix_spawnattr_setpgroup(attr, 0);
            Posix.posix_spawnattr_setflags(attr, Posix.POSIX_SPAWN_SETPGROUP | Posix.POSIX_SPAWN_SETSIGDEF | Posix.POSIX_SPAWN_SETSIGMASK);

            var clock = Stopwatch.StartNew();
            int err = Posix.posix_spawn(out int pid, av[0], fa, attr, av, ev);
            if (err != 0) return new ChildExit(clock.Elapsed, 127, 0, false, 0, $"{argv[0]}: {Marshal.GetPInvokeErrorMessage(err)}");
            bool timedOut = WaitForExit(pid, timeout);
            int r;
            Posix.RUsage usage;
            int status;
            do r = Posix.wait4(pid, out status, 0, out usage);
            while (r < 0 && Marshal.GetLastPInvokeError() == Posix.EINTR);
            var wall = clock.Elapsed;
            if (r < 0) return new ChildExit(wall, 127, 0, timedOut, 0, $"wait4: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            return ChildExit.FromWaitStatus(wall, status, timedOut, usage.MaxRssKb);
        }
        finally
        {
            Posix.posix_spawn_file_actions_destroy(fa);
            Posix.posix_spawnattr_destroy(attr);
            NativeMemory.Free(fa);
            NativeMemory.Free(attr);
            NativeMemory.Free(sigdef);
            NativeMemory.Free(sigmask);
            NativeMemory.Free(av);
            NativeMemory.Free(ev);
            foreach (var p in strings) Marshal.FreeCoTaskMem(p);
        }
    }

    /// <summary>Blocks until the child exits or the limit passes; on timeout kills its process group. True if it timed out.</summary>
    static bool WaitForExit(int pid, TimeSpan? timeout)
    {
        if (timeout == null) return false;
        int pidfd = Posix.PidfdOpen(pid);
        // Without pidfd (kernels before 5.3) the run has no limit: wait4 alone blocks until exit.
        if (pidfd < 0) return false;
        try
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.Value.TotalSeconds * Stopwatch.Frequency);
            while (true)
            {
                long left = (deadline - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
                if (left <= 0) break;
                var fd = new Posix.PollFd { Fd = pidfd, Events = Posix.POLLIN };
                int r = Posix.poll(&fd, 1, (int)Math.Min(left, int.MaxValue));
                if (r > 0) return false;
                if (r < 0 && Marshal.GetLastPInvokeError() != Posix.EINTR) return false;
            }
            // Not yet reaped, so the pid (and the group it leads) cannot have been reused.
            Posix.kill(-pid, Posix.SIGKILL);
            Posix.kill(pid, Posix.SIGKILL);
            return true;
        }
        finally
        {
            Posix.close(pidfd);
        }
    }
}
