using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;

namespace UserEmu.Host;

/// <summary>The host descriptors that belong to the emulator (the .NET runtime's), kept apart from the guest's numbers.</summary>
/// <remarks>
/// Guest fds are host fds, so the runtime's own (its assemblies, /dev/urandom, console handles, internal pipes: about
/// 45 at startup) share the table with the guest's. The policy:
/// <list type="bullet">
/// <item>A guest execve fills every free descriptor below <see cref="ReserveTop"/> with a /dev/null placeholder before
/// the host exec and passes the guest's surviving descriptors (-guest-fds). The new runtime then opens its files above
/// the placeholders; once startup is done (assemblies preloaded), the emulator closes every descriptor below
/// <see cref="ReserveTop"/> that is not the guest's, so the guest numbers its files exactly as a native process would.</item>
/// <item>Every emulator descriptor is made close-on-exec, so none leaks into the next program.</item>
/// <item>The first emulator, started from a host shell, does the same in process when it is a NativeAOT engine, whose
/// runtime has kept no file open before <c>Main</c> (<see cref="ReserveAtFirstStart"/>). A JIT engine cannot (its
/// runtime has already taken fds 3 and up before our code runs): it restarts itself once, through the reservation;
/// should that fail, its guest's first open gets a number above the runtime's, and non-close-on-exec descriptors that
/// do not look like the runtime's are taken to be inherited by the guest.</item>
/// <item>close and close_range leave emulator descriptors alone (the guest sees EBADF, as for a closed fd); a dup2 onto
/// one gives the number to the guest and the emulator forgets it.</item>
/// </list>
/// </remarks>
public static unsafe class EmulatorFds
{
    /// <summary>Descriptors below this are the guest's in an exec'd emulator.</summary>
    public static readonly int ReserveTop = DescriptorReservation.Top;
    const int SysPrlimit64 = 302, RLIMIT_NOFILE = 7;
    const int F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, FD_CLOEXEC = 1, O_PATH = 0x200000, O_WRONLY = 1, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;

    // A List rather than a HashSet: HashSet<int> has no ReadyToRun code in the framework, and its ~17 methods were
    // JIT-compiled on every start; the set is small and changes rarely (lookups go through s_bits).
    static readonly List<int> s_emulator = new();
    static readonly Lock s_lock = new();
    /// <summary>s_emulator as a bitmap, replaced whole on each change: read without a lock by every descriptor syscall.</summary>
    static volatile ulong[] s_bits = [];

    /// <summary>Whether <paramref name="fd"/> is the emulator's (the guest must not close or see it).</summary>
    public static bool IsEmulator(int fd)
    {
        var bits = s_bits;
        return (uint)fd < (uint)bits.Length * 64 && (bits[fd >> 6] & (1UL << fd)) != 0;
    }

    /// <summary>Whether the emulator holds any descriptor at all (lets the per-syscall check stop at one load).</summary>
    public static bool Any => s_bits.Length != 0;

    /// <summary>A descriptor the emulator opened for itself after startup (close-on-exec already).</summary>
    public static void Add(int fd)
    {
        lock (s_lock)
        {
            if (!s_emulator.Contains(fd)) s_emulator.Add(fd);
            Publish();
        }
    }

    /// <summary>Raised before a guest dup2/dup3 onto an emulator descriptor: a part of the emulator that must keep its descriptor moves it to another number (<see cref="CopyAboveGuest"/>).</summary>
    public static event Action<int>? BeforeGuestTakes;

    /// <summary>dup2/dup3 are about to give emulator descriptor <paramref name="fd"/>'s number to the guest.</summary>
    public static void GuestTakes(int fd) => BeforeGuestTakes?.Invoke(fd);

    /// <summary>
    /// A close-on-exec copy of <paramref name="fd"/> above the guest's numbers, among the runtime's own, made the
    /// emulator's; -1 if the host refuses. Not higher: growing the descriptor table of a process with threads waits for
    /// an RCU grace period (~9-20 ms measured).
    /// </summary>
    public static int CopyAboveGuest(int fd)
    {
        const int F_DUPFD_CLOEXEC = 1030;
        int copy = Fcntl(fd, F_DUPFD_CLOEXEC, ReserveTop);
        if (copy >= 0) Add(copy);
        return copy;
    }

    /// <summary>Moves <paramref name="fd"/>, which the emulator just opened, above the guest's numbers (closing the original) and makes it the emulator's; where the host refuses, it stays where it is, the emulator's all the same.</summary>
    public static int MoveAboveGuest(int fd)
    {
        int moved = CopyAboveGuest(fd);
        if (moved < 0)
        {
            Add(fd);
            return fd;
        }
        LibC.close(fd);
        return moved;
    }

    /// <summary>The guest has taken <paramref name="fd"/>'s number (dup2 onto it): it is no longer the emulator's.</summary>
    public static void Forget(int fd)
    {
        lock (s_lock)
        {
            s_emulator.Remove(fd);
            Publish();
        }
    }

    // Called under s_lock.
    static void Publish()
    {
        int max = -1;
        foreach (int fd in s_emulator) max = Math.Max(max, fd);
        var bits = new ulong[(max + 64) / 64];
        foreach (int fd in s_emulator) bits[fd >> 6] |= 1UL << fd;
        s_bits = bits;
    }

    /// <summary>
    /// Sorts the descriptors open at startup into the guest's and the emulator's, after loading every assembly the
    /// emulator uses (so the runtime opens no more files later). <paramref name="guestFds"/> is the list an exec'ing
    /// emulator passed; null for the first emulator. <paramref name="tracing"/>: -strace is on, so the assemblies
    /// only its formatting uses are loaded too.
    /// </summary>
    public static void Classify(IReadOnlyCollection<int>? guestFds, bool tracing)
    {
        PreloadAssemblies(tracing);
        // The emulator's stderr copy is taken now, to be sorted with the emulator's descriptors, and so is the runtime's
        // random source (/dev/urandom, opened by the first seed a HashCode or string hash needs and kept open). Nothing
        // starts the runtime's own signal handling (System.Console or PosixSignalRegistration would: a pipe and a thread).
        _ = HostStderr.Instance;
        _ = "useremu".GetHashCode();
        SortDescriptors(guestFds);
    }

    /// <summary>
    /// A NativeAOT engine's first start, before it opens any file: the descriptors open now were all inherited (its
    /// runtime keeps none open before <c>Main</c>, unlike a JIT runtime's ~45), so they are the guest's, and every free
    /// number below <see cref="ReserveTop"/> gets a placeholder, as a guest execve's <see cref="PrepareExec"/> does;
    /// <see cref="Classify"/> closes them once the emulator's own files sit above. Returns the guest's descriptors.
    /// </summary>
    public static List<int> ReserveAtFirstStart()
    {
        var guest = OpenFds();
        s_reservedHere = DescriptorReservation.Fill(guest.Contains);
        return guest;
    }

    /// <summary>The placeholders <see cref="ReserveAtFirstStart"/> made, which <see cref="Classify"/> closes without looking at each (a readlink of /proc/self/fd/N apiece).</summary>
    static List<int>? s_reservedHere;

    /// <summary>
    /// The first emulator, about to restart itself: sorts the descriptors open now without preloading anything, since
    /// the restarted runtime is the one whose files must stay above the guest's.
    /// </summary>
    public static void ClassifyBeforeRestart() => SortDescriptors(null);

    static void SortDescriptors(IReadOnlyCollection<int>? guestFds)
    {
        lock (s_lock)
        {
            s_emulator.Clear();
            foreach (int fd in OpenFds())
            {
                if (fd <= 2) continue;
                bool guest = guestFds != null ? guestFds.Contains(fd) : LooksInherited(fd);
                if (guest) continue;
                if (guestFds != null && fd < ReserveTop && (s_reservedHere?.Contains(fd) ?? IsPlaceholder(fd)))
                {
                    LibC.close(fd);
                    continue;
                }
                s_emulator.Add(fd);
                int flags = Fcntl(fd, F_GETFD, 0);
                if (flags >= 0 && (flags & FD_CLOEXEC) == 0) Fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
            }
            s_reservedHere = null;
            Publish();
        }
    }

    /// <summary>
    /// Before a host execve: marks emulator fds close-on-exec, fills the free descriptors below <see cref="ReserveTop"/>
    /// with placeholders, and returns the guest descriptors that will survive the exec ("0,1,2,...") and the placeholders
    /// to close if the exec fails.
    /// </summary>
    public static (string GuestFds, List<int> Placeholders) PrepareExec()
    {
        ReleaseDebuggerPipe();
        var survivors = new List<int>();
        var open = OpenFds();
        lock (s_lock)
        {
            foreach (int fd in open)
            {
                int flags = Fcntl(fd, F_GETFD, 0);
                if (flags < 0) continue;
                // The debugger FIFO's open, just released, lands on a number the runtime never told us about.
                if (s_emulator.Contains(fd) || IsDebuggerPipe(fd))
                {
                    if ((flags & FD_CLOEXEC) == 0) Fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
                }
                else if ((flags & FD_CLOEXEC) == 0)
                {
                    survivors.Add(fd);
                }
            }
        }
        // Every number that will be free after the exec gets a placeholder: free now, or close-on-exec (the runtime's,
        // or the guest's own). What it held is replaced for good; should the exec then fail, the emulator runs on
        // without it.
        var placeholders = DescriptorReservation.Fill(survivors.Contains);
        foreach (int fd in placeholders) Forget(fd);
        survivors.Sort();
        return (string.Join(',', survivors.Select(f => f.ToString(CultureInfo.InvariantCulture))), placeholders);
    }

    /// <summary>
    /// Before a guest's execve: a soft RLIMIT_NOFILE below what the exec'd emulator needs to start (its runtime's
    /// descriptors, above the guest's) is raised, up to the hard limit; returns the guest's soft limit to restore once
    /// it has started (<see cref="RestoreDescriptorLimit"/>), or -1 where nothing was changed.
    /// </summary>
    /// <remarks>
    /// A guest may lower its limit below descriptors it keeps open (CPython's test_subprocess: limit 29, descriptors up to
    /// 43), then exec: its program starts natively, loading its libraries on the free low numbers, but the placeholders
    /// took those and the emulator's own loader failed on libm (EMFILE).
    /// </remarks>
    public static long RaiseDescriptorLimitForExec()
    {
        ulong* limits = stackalloc ulong[2];
        if (LibC.syscall(SysPrlimit64, 0, RLIMIT_NOFILE, 0, (long)limits, 0, 0) != 0 || limits[0] >= DescriptorReservation.TableSize || limits[1] <= limits[0]) return -1;
        long soft = (long)limits[0];
        limits[0] = Math.Min(limits[1], DescriptorReservation.TableSize);
        return LibC.syscall(SysPrlimit64, 0, RLIMIT_NOFILE, (long)limits, 0, 0, 0) == 0 ? soft : -1;
    }

    /// <summary>Sets the soft RLIMIT_NOFILE back to <paramref name="soft"/> (the exec'd guest's, or the exec failed).</summary>
    public static void RestoreDescriptorLimit(long soft)
    {
        ulong* limits = stackalloc ulong[2];
        if (soft < 0 || LibC.syscall(SysPrlimit64, 0, RLIMIT_NOFILE, 0, (long)limits, 0, 0) != 0) return;
        limits[0] = (ulong)soft;
        LibC.syscall(SysPrlimit64, 0, RLIMIT_NOFILE, (long)limits, 0, 0, 0);
    }

    /// <summary>Undoes <see cref="PrepareExec"/>'s placeholders when the host exec failed.</summary>
    public static void CancelExec(List<int> placeholders) => DescriptorReservation.Release(placeholders);

    /// <summary>Placeholders are O_PATH descriptors of /dev/null, which the runtime never opens.</summary>
    static bool IsPlaceholder(int fd)
    {
        int fl = Fcntl(fd, F_GETFL, 0);
        return fl >= 0 && (fl & O_PATH) != 0 && HostFiles.ReadLink(FdLink(fd)) == "/dev/null";
    }

    static string FdLink(int fd) => "/proc/self/fd/" + fd.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The runtime's debugger transport (when diagnostics are on) keeps a thread blocked opening a FIFO, which holds a
    /// descriptor number that can be neither used nor replaced. Opening the FIFO's other end lets that open finish, so
    /// the number becomes an ordinary emulator descriptor (the thread then waits in read, harmlessly).
    /// </summary>
    static void ReleaseDebuggerPipe()
    {
        try
        {
            int pid = LibC.getpid();
            // The runtime names the FIFO after the pid and the process start time (/proc/self/stat field 22, its
            // "disambiguation key"): open that name, and search the temp directory only if it is not there (a /tmp
            // with 40k entries took ~15 ms to list on every start).
            if (!OpenFifo(Path.Combine(Path.GetTempPath(), $"clr-debug-pipe-{pid}-{StartTime()}-in")))
                foreach (var fifo in Directory.EnumerateFiles(Path.GetTempPath(), $"clr-debug-pipe-{pid}-*-in"))
                    OpenFifo(fifo);
            Thread.Sleep(1);
        }
        catch (IOException)
        {
        }
    }

    // False if there is no such file.
    static bool OpenFifo(string path)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        long r;
        fixed (byte* p = bytes) r = LibC.syscall(2 /* open */, (long)p, O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0, 0, 0, 0);
        return r >= 0 || LibC.Errno != 2 /* ENOENT */;
    }

    // Field 22 of /proc/self/stat: the start time in clock ticks since boot.
    static string StartTime()
    {
        var fields = ProcStatFields.Split(System.Text.Encoding.UTF8.GetString(HostFiles.ReadAll("/proc/self/stat")));
        int at = ProcStatFields.Index(22);
        return at < fields.Length ? fields[at] : "";
    }

    static bool IsDebuggerPipe(int fd)
    {
        return HostFiles.ReadLink(FdLink(fd)) is { } t && t.StartsWith(Path.Combine(Path.GetTempPath(), "clr-debug-pipe-"), StringComparison.Ordinal);
    }

    // fcntl and open are variadic in libc: called through syscall(2) instead.
    static int Fcntl(int fd, int cmd, int arg) => (int)LibC.syscall(72, fd, cmd, arg, 0, 0, 0);

    /// <summary>The open descriptors of this process.</summary>
    public static List<int> OpenFds()
    {
        List<int> fds;
        try
        {
            fds = HostFiles.NumericEntries("/proc/self/fd");
        }
        catch (IOException)
        {
            return [];
        }
        // The listing's own directory descriptor was listed too, and is closed now.
        fds.RemoveAll(fd => Fcntl(fd, F_GETFD, 0) < 0);
        return fds;
    }

    /// <summary>First emulator only: a non-close-on-exec fd that is not one of the kinds the runtime opens is the guest's.</summary>
    static bool LooksInherited(int fd)
    {
        int flags = Fcntl(fd, F_GETFD, 0);
        if (flags < 0 || (flags & FD_CLOEXEC) != 0) return false;
        if (HostFiles.ReadLink(FdLink(fd)) is not { } target) return false;
        // The runtime makes its pipes, sockets, memfds and /dev/urandom close-on-exec (measured with strace); what it
        // keeps open without the flag is its assemblies and the debugger FIFOs. An inherited pipe (a make jobserver's,
        // a parent's extra channel) or /dev/null above 2 is therefore the guest's.
        return !(target.EndsWith(".dll", StringComparison.Ordinal) ||
            target.StartsWith(Path.Combine(Path.GetTempPath(), "clr-debug-pipe-"), StringComparison.Ordinal));
    }

    /// <summary>
    /// Loads the assemblies the emulator references (its own and, one level down, the framework ones they use) now,
    /// so the runtime opens no assembly file once the guest is numbering its descriptors.
    /// </summary>
    /// <remarks>
    /// Without -strace, the framework assemblies only strace's formatting uses (JSON output, /regex/ filters, IP
    /// addresses) and what they pull in are left out: 37 -> 23 assemblies loaded for busybox true.
    /// </remarks>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Not run in a NativeAOT engine, which has no assembly files.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "Not run in a NativeAOT engine, which has no assembly files.")]
    static void PreloadAssemblies(bool tracing)
    {
        // A NativeAOT engine is one file: its runtime opens no assemblies.
        if (!System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported) return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<(Assembly Assembly, int Depth)>();
        if (Assembly.GetEntryAssembly() is { } entry) queue.Enqueue((entry, 0));
        queue.Enqueue((typeof(EmulatorFds).Assembly, 0));
        string appDir = AppContext.BaseDirectory;
        while (queue.Count > 0)
        {
            var (a, depth) = queue.Dequeue();
            if (!seen.Add(a.FullName ?? "")) continue;
            // Our assemblies are followed all the way, framework ones two levels (the facades our code compiles
            // against and the assemblies they forward to); deeper ones are what the runtime seldom needs.
            bool ours = a.Location.StartsWith(appDir, StringComparison.Ordinal);
            if (!ours && depth >= 2) continue;
            // netstandard and mscorlib are facades over the whole framework: following them loads ~100 assemblies
            // (a third of startup) that nothing here uses.
            if (a.GetName().Name is "netstandard" or "mscorlib") continue;
            foreach (var name in a.GetReferencedAssemblies())
            {
                if (seen.Contains(name.FullName)) continue;
                if (!tracing && name.Name is "System.Text.Json" or "System.Text.Encodings.Web" or "System.Text.RegularExpressions" or "System.Net.Primitives") continue;
                try
                {
                    queue.Enqueue((Assembly.Load(name), ours ? 0 : depth + 1));
                }
                catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                }
            }
        }
    }
}
