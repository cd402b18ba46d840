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
        var handle = GCHandle.Alloc(new Start_(body, name));
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

    sealed record Start_(Action Body, string Name);

    [UnmanagedCallersOnly]
    static nint Entry(nint arg)
    {
        var handle = GCHandle.FromIntPtr(arg);
        var start = (Start_)handle.Target!;
        handle.Free();
        Span<byte> name = stackalloc byte[16];
        name.Clear();
        Encoding.ASCII.GetBytes(start.Name.AsSpan(0, Math.Min(15, start.Name.Length)), name);
        fixed (byte* p = name) LibC.prctl(PR_SET_NAME, (nuint)p, 0, 0, 0);
        start.Body();
        return 0;
    }

    [LibraryImport("libc")]
    private static partial int pthread_create(nint* thread, nint attr, delegate* unmanaged<nint, nint> start, nint arg);

    [LibraryImport("libc")]
    private static partial int pthread_join(nint thread, nint* result);
}
