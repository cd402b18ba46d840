using System.Diagnostics;
using System.Globalization;
using System.Text;
using UserEmu.Syscalls.Table;

namespace UserEmu.Syscalls.Strace;

/// <summary>strace -c: calls, errors and time per syscall, printed as strace's table at exit.</summary>
/// <remarks>Times are the emulator's wall time inside each call (strace -c shows the kernel's system time).</remarks>
public sealed class StraceSummary
{
    readonly long[] _calls, _errors, _ticks;
    readonly SyscallTable _table;

    public StraceSummary(SyscallTable table)
    {
        _table = table;
        _calls = new long[table.Size];
        _errors = new long[table.Size];
        _ticks = new long[table.Size];
    }

    public void Record(ulong nr, long result, long ticks)
    {
        if (nr >= (ulong)_calls.Length) return;
        Interlocked.Increment(ref _calls[nr]);
        if (ErrnoNames.FromResult(result) != 0) Interlocked.Increment(ref _errors[nr]);
        Interlocked.Add(ref _ticks[nr], ticks);
    }

    const string Rule = "------ ----------- ----------- --------- --------- ----------------";

    public string Format()
    {
        var ci = CultureInfo.InvariantCulture;
        var rows = new List<int>();
        long totalTicks = 0, totalCalls = 0, totalErrors = 0;
        for (int k = 0; k < _calls.Length; k++)
        {
            if (_calls[k] == 0) continue;
            rows.Add(k);
            totalTicks += _ticks[k];
            totalCalls += _calls[k];
            totalErrors += _errors[k];
        }
        // By time, then by number, as strace's default sort shows.
        rows.Sort((a, b) => _ticks[a] != _ticks[b] ? _ticks[b].CompareTo(_ticks[a]) : a.CompareTo(b));
        var sb = new StringBuilder();
        sb.Append("% time     seconds  usecs/call     calls    errors syscall\n").Append(Rule).Append('\n');
        foreach (int k in rows)
        {
            double seconds = (double)_ticks[k] / Stopwatch.Frequency;
            double pct = totalTicks == 0 ? 0 : 100.0 * _ticks[k] / totalTicks;
            Row(sb, ci, pct, seconds, _calls[k], _errors[k], _table[(ulong)k]?.Name ?? $"syscall_0x{k:x}");
        }
        sb.Append(Rule).Append('\n');
        Row(sb, ci, 100, (double)totalTicks / Stopwatch.Frequency, totalCalls, totalErrors, "total");
        return sb.ToString();
    }

    static void Row(StringBuilder sb, CultureInfo ci, double pct, double seconds, long calls, long errors, string name)
    {
        long usecs = calls == 0 ? 0 : (long)(seconds * 1e6 / calls);
        sb.Append(pct.ToString("0.00", ci).PadLeft(6)).Append(' ')
          .Append(seconds.ToString("0.000000", ci).PadLeft(11)).Append(' ')
          .Append(usecs.ToString(ci).PadLeft(11)).Append(' ')
          .Append(calls.ToString(ci).PadLeft(9)).Append(' ')
          .Append((errors == 0 ? "" : errors.ToString(ci)).PadLeft(9)).Append(' ')
          .Append(name).Append('\n');
    }
}
