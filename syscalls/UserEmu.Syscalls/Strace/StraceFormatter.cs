using System.Diagnostics;
using System.Text;
using UserEmu.Engine;
using UserEmu.Syscalls.Strace.Decoders;
using UserEmu.Syscalls.Table;

namespace UserEmu.Syscalls.Strace;

/// <summary>
/// The strace of the emulator: turns the bridge's enter/exit callbacks, delivered signals and the process's end into
/// strace's lines (or JSON objects), decoding every argument from the syscall table.
/// </summary>
/// <remarks>
/// A call's entry text is held until it returns; when another task prints first, the held text is written with
/// " &lt;unfinished ...&gt;" and the call's end later as "&lt;... name resumed&gt;", as strace does. Per-task state is reused
/// from call to call, so tracing allocates only while formatting.
/// </remarks>
public sealed unsafe class StraceFormatter : ISyscallTracer
{
    /// <summary>strace aligns " = result" at this column.</summary>
    const int ResultColumn = 40;

    readonly StraceOptions _options;
    readonly StraceFilter _filter;
    readonly StraceOutput _out;
    readonly StraceSummary? _summary;
    readonly StraceJsonWriter? _json;
    readonly Lock _lock = new();
    readonly Dictionary<int, TaskTrace> _tasks = new();
    readonly StringBuilder _line = new(256), _aux = new(256);
    TaskTrace? _pending;
    GuestProcess? _process;
    int _children;
    int _pid;
    int _finished;

    [ThreadStatic] static TaskTrace? t_task;

    /// <summary>What the formatter keeps per guest task (thread): the call in flight and its text.</summary>
    sealed class TaskTrace(StraceFormatter owner, int tid)
    {
        public readonly StraceFormatter Owner = owner;
        public int Tid = tid;
        public readonly TraceCall Call = new();
        public readonly StringBuilder Entry = new(128), Exit = new(128), Return = new(64);
        public bool Traced;
        public int Split;
        /// <summary>Whether several tasks existed when the call began: strace decides a line's [pid N] as it starts it.</summary>
        public bool ManyAtEntry;
    }

    public StraceFormatter(StraceOptions options, SyscallTable table, StraceOutput output)
    {
        _options = options;
        _filter = options.Filter is { } f ? StraceFilter.Parse(f, table) : StraceFilter.All(table);
        _out = output;
        if (options.Summary) _summary = new StraceSummary(table);
        if (options.Json) _json = new StraceJsonWriter();
        _pid = Environment.ProcessId;
    }

    public StraceOptions Options => _options;

    /// <summary>Line prefixes follow the process's thread count (set by the launcher).</summary>
    public void Attach(GuestProcess process) => _process = process;

    bool ManyTasks => _children > 0 || (_process?.Threads.Count ?? 1) > 1;

    TaskTrace TaskOf(in SyscallContext c)
    {
        int tid = c.Cpu.Tid != 0 ? c.Cpu.Tid : _pid;
        var t = t_task;
        if (t != null && t.Owner == this && t.Tid == tid) return t;
        lock (_lock)
        {
            if (!_tasks.TryGetValue(tid, out t))
            {
                t = new TaskTrace(this, tid);
                _tasks[tid] = t;
            }
        }
        t_task = t;
        return t;
    }

    // ---- syscalls ----

    public void OnEnter(in SyscallContext c, SyscallEntry? entry)
    {
        var t = TaskOf(c);
        var call = t.Call;
        call.Set(c, entry);
        t.Traced = _filter.Traces(c.Number);
        if (!t.Traced) return;
        call.StringLimit = _options.StringLimit;
        call.StartTicks = Stopwatch.GetTimestamp();
        bool noReturn = entry?.Return == ReturnKind.NoReturn;
        if (_json != null)
        {
            call.StartTime = DateTime.UtcNow;
            if (noReturn)
                lock (_lock) _json.WriteCall(_out, _pid, t.Tid, call, 0);
            return;
        }
        if (!_options.Lines) return;
        var sb = t.Entry;
        sb.Clear();
        t.ManyAtEntry = ManyTasks;
        sb.Append(call.Name).Append('(');
        if (entry == null)
        {
            t.Split = 0;
        }
        else if (entry.Name == "rt_sigreturn")
        {
            // The mask the handler's frame restores, as strace shows it; the frame is at the guest's stack pointer.
            sb.Append("{mask=");
            SignalDecoders.SigSet(sb, call.Mem, c.Cpu.State->Gpr[4] + 296);
            sb.Append('}');
            t.Split = 0;
        }
        else
        {
            t.Split = ArgDecoder.FirstExitArg(call);
            bool printed = AppendArgs(sb, call, 0, t.Split, first: true);
            if (printed && HasShownArgs(call, t.Split)) sb.Append(", ");
        }
        if (noReturn)
        {
            sb.Append(')');
            lock (_lock)
            {
                if (_pending != null && _pending != t) WriteUnfinished(_pending);
                _pending = null;
                _line.Clear();
                Prefix(_line, t.Tid, t.ManyAtEntry);
                _line.Append(sb);
                Pad(_line);
                _line.Append(" = ?\n");
                // A thread leaving a group that goes on: strace reports its end right away.
                if (entry!.Name == "exit" && (_process?.Threads.Count ?? 1) > 1)
                {
                    Prefix(_line, t.Tid);
                    _line.Append("+++ exited with ").Append((int)c.A0 & 0xff).Append(" +++\n");
                    _tasks.Remove(t.Tid);
                }
                _out.Write(_line);
            }
            return;
        }
        lock (_lock)
        {
            if (_pending != null && _pending != t) WriteUnfinished(_pending);
            _pending = t;
        }
    }

    public void OnExit(in SyscallContext c, SyscallEntry? entry, long result)
    {
        if (result == 0 && entry?.Name is "clone" or "clone3" or "fork" or "vfork" && t_task is { } forked && forked.Owner == this)
        {
            BecomeChild(c, forked);
            return;
        }
        var t = TaskOf(c);
        if (!t.Traced) return;
        var call = t.Call;
        // A successful execve never returns here: the new image prints its own "execve(...) = 0" first line.
        call.Result = result;
        call.Exited = true;
        _summary?.Record(call.Number, result, Stopwatch.GetTimestamp() - call.StartTicks);
        CountChildren(call);
        if (_json != null)
        {
            lock (_lock) _json.WriteCall(_out, _pid, t.Tid, call, Stopwatch.GetTimestamp() - call.StartTicks);
            return;
        }
        if (!_options.Lines) return;
        var rest = t.Exit;
        rest.Clear();
        if (entry == null) AppendRawArgs(rest, call);
        else if (entry.Name != "rt_sigreturn") AppendArgs(rest, call, t.Split, entry.Args.Length, first: true);
        rest.Append(')');
        var ret = t.Return;
        ret.Clear();
        StraceReturn.Append(ret, call);
        lock (_lock)
        {
            _line.Clear();
            if (_pending == t)
            {
                Prefix(_line, t.Tid, t.ManyAtEntry);
                _line.Append(t.Entry);
            }
            else
            {
                if (_pending != null) WriteUnfinished(_pending);
                Prefix(_line, t.Tid);
                _line.Append("<... ").Append(call.Name).Append(" resumed>");
            }
            _pending = null;
            _line.Append(rest);
            Pad(_line);
            _line.Append(" = ").Append(ret).Append('\n');
            _out.Write(_line);
        }
    }

    static bool IsForkLike(TraceCall call) => call.Entry?.Name is "clone" or "clone3" or "fork" or "vfork";

    /// <summary>
    /// A fork-like call returned 0: this is the new process (a new thread starts in its own loop and never returns
    /// through the bridge). strace shows the child from its first own call on, not the clone's return in it.
    /// </summary>
    void BecomeChild(in SyscallContext c, TaskTrace t)
    {
        int parentTid = t.Tid;
        _pid = (int)Host.Sys.Call(Host.HostNr.Getpid);
        t.Tid = c.Cpu.Tid != 0 && c.Cpu.Tid != parentTid ? c.Cpu.Tid : _pid;
        t.Call.Exited = true;
        t.Traced = false;
        lock (_lock)
        {
            _tasks.Clear();
            _tasks[t.Tid] = t;
            _pending = null;
            _children = 1; // the parent still runs: keep the [pid N] prefixes
        }
    }

    void CountChildren(TraceCall call)
    {
        if (call.Result <= 0) return;
        if (IsForkLike(call))
        {
            bool thread = call.Entry!.Name == "clone" && (call.Arg(0) & Names.ProcessNames.CLONE_THREAD) != 0;
            if (!thread) Interlocked.Increment(ref _children);
        }
        else if (call.Entry?.Name is "wait4" or "waitid" && _children > 0)
        {
            Interlocked.Decrement(ref _children);
        }
    }

    /// <summary>Appends the shown arguments in [from, to); returns whether it printed any.</summary>
    static bool AppendArgs(StringBuilder sb, TraceCall call, int from, int to, bool first)
    {
        bool any = false;
        for (int i = from; i < to; i++)
        {
            if (!ArgDecoder.IsShown(call, i)) continue;
            if (!first || any) sb.Append(", ");
            ArgDecoder.Append(sb, call, i);
            any = true;
        }
        return any;
    }

    static bool HasShownArgs(TraceCall call, int from)
    {
        for (int i = from; i < call.Entry!.Args.Length; i++)
            if (ArgDecoder.IsShown(call, i)) return true;
        return false;
    }

    /// <summary>A syscall number the table does not know: its six registers in hex.</summary>
    static void AppendRawArgs(StringBuilder sb, TraceCall call)
    {
        for (int i = 0; i < 6; i++)
        {
            if (i > 0) sb.Append(", ");
            StraceFormat.Hex(sb, call.Arg(i));
        }
    }

    void WriteUnfinished(TaskTrace t)
    {
        _aux.Clear();
        Prefix(_aux, t.Tid, t.ManyAtEntry);
        _aux.Append(t.Entry).Append(" <unfinished ...>\n");
        _out.Write(_aux);
        _pending = null;
    }

    void Prefix(StringBuilder sb, int tid) => Prefix(sb, tid, ManyTasks);

    static void Prefix(StringBuilder sb, int tid, bool many)
    {
        if (!many) return;
        sb.Append($"[pid {tid,5}] ");
    }

    /// <summary>Spaces up to strace's result column (the builder holds one line).</summary>
    static void Pad(StringBuilder sb)
    {
        for (int n = sb.Length; n < ResultColumn; n++) sb.Append(' ');
    }

    // ---- process events ----

    /// <summary>The execve that started the program, as strace's first line shows it.</summary>
    public void OnStart(string path, IReadOnlyList<string> argv, ulong envp, int envCount)
    {
        if (!_filter.Traces(59)) return;
        _summary?.Record(59, 0, 0);
        if (!_options.Lines && _json == null) return;
        var sb = new StringBuilder();
        StraceFormat.Quote(sb, Encoding.UTF8.GetBytes(path), 4096);
        var quotedPath = sb.ToString();
        sb.Clear().Append('[');
        for (int k = 0; k < argv.Count; k++)
        {
            if (k > 0) sb.Append(", ");
            if (k >= _options.StringLimit)
            {
                sb.Append("...");
                break;
            }
            StraceFormat.Quote(sb, Encoding.UTF8.GetBytes(argv[k]), _options.StringLimit);
        }
        sb.Append(']');
        var args = sb.ToString();
        sb.Clear();
        StraceFormat.Pointer(sb, envp);
        sb.Append(" /* ").Append(envCount).Append(envCount == 1 ? " var */" : " vars */");
        var env = sb.ToString();
        lock (_lock)
        {
            if (_json != null)
            {
                _json.WriteStart(_out, _pid, quotedPath, args, env, envp);
                return;
            }
            _line.Clear();
            _line.Append("execve(").Append(quotedPath).Append(", ").Append(args).Append(", ").Append(env).Append(')');
            Pad(_line);
            _line.Append(" = 0\n");
            _out.Write(_line);
        }
    }

    /// <summary>A signal delivered to a guest thread: --- SIGSEGV {si_signo=SIGSEGV, ...} ---.</summary>
    public void OnSignal(Vcpu cpu, GuestSignalInfo info)
    {
        int tid = cpu.Tid != 0 ? cpu.Tid : _pid;
        var sb = new StringBuilder();
        SignalDecoders.SigInfo(sb, info);
        lock (_lock)
        {
            if (_pending != null) WriteUnfinished(_pending);
            if (_json != null)
            {
                _json.WriteSignal(_out, _pid, tid, SignalNames.Name(info.Signal), sb.ToString());
                return;
            }
            if (!_options.Lines) return;
            _line.Clear();
            Prefix(_line, tid);
            _line.Append("--- ").Append(SignalNames.Name(info.Signal)).Append(' ').Append(sb).Append(" ---\n");
            _out.Write(_line);
        }
    }

    /// <summary>The process ends: +++ exited with N +++ or +++ killed by SIGX +++, then the -strace-summary table.</summary>
    /// <param name="signal">The killing signal, or 0 for a normal exit with <paramref name="status"/>.</param>
    public void OnProcessEnd(int status, int signal)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0) return;
        lock (_lock)
        {
            if (_pending != null) WriteUnfinished(_pending);
            if (_json != null) _json.WriteEnd(_out, _pid, status, signal == 0 ? null : SignalNames.Name(signal));
            else if (_options.Lines)
            {
                _line.Clear();
                Prefix(_line, _pid);
                if (signal == 0) _line.Append("+++ exited with ").Append(status).Append(" +++\n");
                else _line.Append("+++ killed by ").Append(SignalNames.Name(signal)).Append(" +++\n");
                _out.Write(_line);
            }
            if (_summary != null)
            {
                _line.Clear().Append(_summary.Format());
                _out.Write(_line);
            }
        }
    }
}
