using System.Runtime.InteropServices;
using System.Text;

namespace UserEmu.Host;

/// <summary>Emulator helper threads started with pthread_create, so that their creator does not wait for them to start.</summary>
/// <remarks>
/// NativeAOT's Thread.Start spins in sched_yield until the new thread has registered with the runtime, and here the
/// new thread often shares its creator's CPU until the scheduler moves it: each start cost the creator ~1 ms (the
/// warm-up thread on the main thread's path, the compile thread on the guest's), against a `busybox true` of ~17 ms.
/// A host thread enters managed code through an <see cref="UnmanagedCallersOnlyAttribute"/> entry, where the runtime
/// attaches it on its own time. An exception that escapes the body ends the process, as on a runtime thread.
/// </remarks>
public static unsafe partial class HostThread
{
    const int PR_SET_NAME = 15;

    /// <summary>Starts <paramref name="body"/> on a new host thread named <paramref name="name"/> (at most 15 bytes shown); returns its pthread_t.</summary>
    public static nint Start(Action body, string name)
    {
        var handle = GCHandle.Alloc(new StartRequest(body, name));
        nint thread;
        int error = pthread_create(&thread, 0, &Entry, GCHandle.ToIntPtr(handle));
        if (error != 0)
        {
            handle.Free();
            throw new InvalidOperationException($"pthread_create failed (errno {error})");
        }
        return thread;
    }

    /// <summary>Waits until the thread has ended, its runtime detach and thread-local destructors included.</summary>
    public static void Join(nint thread) => pthread_join(thread, null);

    sealed record StartRequest(Action Body, string Name);

    [UnmanagedCallersOnly]
    static nint Entry(nint arg)
    {
        var handle = GCHandle.FromIntPtr(arg);
        var start = (StartRequest)handle.Target!;
        handle.Free();
        SetCurrentName(start.Name);
        start.Body();
        return 0;
    }

    /// <summary>Names the calling host thread (its comm: the first 15 bytes of <paramref name="name"/> in UTF-8).</summary>
    public static void SetCurrentName(string name)
    {
        Span<byte> comm = stackalloc byte[16];
        comm.Clear();
        var bytes = Encoding.UTF8.GetBytes(name);
        bytes.AsSpan(0, Math.Min(bytes.Length, 15)).CopyTo(comm);
        fixed (byte* p = comm) LibC.prctl(PR_SET_NAME, (nuint)p, 0, 0, 0);
    }

    [LibraryImport("libc")]
    private static partial int pthread_create(nint* thread, nint attr, delegate* unmanaged<nint, nint> start, nint arg);

    [LibraryImport("libc")]
    private static partial int pthread_join(nint thread, nint* result);
}
