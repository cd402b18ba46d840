using UserEmu.Syscalls.Table;

namespace UserEmu.Syscalls.Strace;

/// <summary>One traced syscall: its table entry, raw arguments and, once it returned, its result.</summary>
/// <remarks>One instance per guest task, reused for each of its calls so that tracing allocates nothing per call.</remarks>
public sealed class TraceCall
{
    public SyscallEntry? Entry;
    public ulong Number;
    public readonly ulong[] Args = new ulong[6];
    public long Result;
    /// <summary>False while the call is being entered (output arguments are not filled yet).</summary>
    public bool Exited;
    public TraceMemory Mem;
    /// <summary>-strace-strsize: bytes of a string shown before "...".</summary>
    public int StringLimit = StraceText.DefaultStringLimit;
    /// <summary>The socklen_t an in/out length argument held on entry (strace shows [in => out] when the call changed it); -1 if unread.</summary>
    public int SockLenAtEntry = -1;
    /// <summary>Host Stopwatch timestamp of the call's entry.</summary>
    public long StartTicks;
    public DateTime StartTime;

    public string Name => Entry?.Name ?? $"syscall_0x{Number:x}";
    public ulong Arg(int i) => Args[i];
    public ArgKind Kind(int i) => Entry!.Args[i].Kind;
    public ArgSpec Spec(int i) => Entry!.Args[i];

    /// <summary>The call returned without error (output arguments are valid).</summary>
    public bool Succeeded => Exited && ErrnoNames.FromResult(Result) == 0;

    /// <summary>Fills the call from raw values (decoder tests, replay).</summary>
    public void Set(SyscallEntry entry, TraceMemory mem, params ulong[] args)
    {
        Entry = entry;
        Number = (ulong)entry.Number;
        Array.Clear(Args);
        args.AsSpan().CopyTo(Args);
        Mem = mem;
        Exited = false;
        Result = 0;
    }

    /// <summary>Marks the call returned with <paramref name="result"/>.</summary>
    public void Return(long result)
    {
        Result = result;
        Exited = true;
    }

    public void Set(in SyscallContext c, SyscallEntry? entry)
    {
        Entry = entry;
        Number = c.Number;
        Args[0] = c.A0; Args[1] = c.A1; Args[2] = c.A2; Args[3] = c.A3; Args[4] = c.A4; Args[5] = c.A5;
        Mem = new TraceMemory(c.Mem);
        Exited = false;
        Result = 0;
        SockLenAtEntry = -1;
        if (entry == null) return;
        var args = entry.Args;
        for (int i = 0; i < args.Length; i++)
            if (args[i].Kind == ArgKind.SockLenInOut && Mem.TryRead(Args[i], out int len)) SockLenAtEntry = len;
    }
}
