using System.Text.RegularExpressions;
using UserEmu.Syscalls;
using UserEmu.Syscalls.Table;

namespace UserEmu.Tests.Strace;

/// <summary>
/// Makes a native strace and the emulator's trace comparable: drops pid prefixes and alignment, and replaces what
/// legitimately differs (addresses, pids, descriptor numbers, environment size) by placeholders. docs/strace.md lists these.
/// </summary>
public static partial class TraceNormalizer
{
    [GeneratedRegex(@"^(\d+ +|\[pid +\d+\] )")]
    private static partial Regex PidPrefix();

    [GeneratedRegex(@"^(.*\)) +(= .*)$")]
    private static partial Regex Alignment();

    [GeneratedRegex(@"0x[0-9a-f]{5,}")]
    private static partial Regex Address();

    [GeneratedRegex(@"/\* \d+ vars \*/")]
    private static partial Regex EnvCount();

    [GeneratedRegex(@"fd=(\d+)")]
    private static partial Regex FdField();

    [GeneratedRegex(@"^(pipe2?|socketpair)\(.*?\[(\d+), (\d+)\]")]
    private static partial Regex PipeFds();

    [GeneratedRegex(@"= (\d+)$")]
    private static partial Regex Result();

    [GeneratedRegex(@"^getrandom\(""[^""]*""")]
    private static partial Regex RandomBytes();

    [GeneratedRegex(@"^(rseq\(.*\)) = .*$")]
    private static partial Regex Rseq();

    [GeneratedRegex(@"^(time|gettimeofday|clock_gettime|clock_getres|getcpu)\(")]
    private static partial Regex VdsoCall();



    /// <summary>Normalised lines of one trace; <paramref name="pid"/> is the traced process's pid.</summary>
    public static List<string> Normalize(IEnumerable<string> lines, int pid)
    {
        var fds = new Dictionary<string, string>();
        int next = 0;
        var result = new List<string>();
        string pidText = pid.ToString();
        foreach (var raw in lines)
        {
            if (raw.Length == 0) continue;
            string line = PidPrefix().Replace(raw, "");
            // Natively these run in the vDSO without entering the kernel; the emulator has no vDSO, so they are syscalls.
            if (VdsoCall().IsMatch(line)) continue;
            line = Alignment().Replace(line, "$1 $2");
            line = Address().Replace(line, "ADDR");
            line = EnvCount().Replace(line, "/* N vars */");
            line = Regex.Replace(line, $@"\b{pidText}\b", "PID");
            line = RandomBytes().Replace(line, "getrandom(RANDOM");
            // The emulator does not register restartable sequences (as QEMU): rseq fails with ENOSYS, glibc carries on.
            line = Rseq().Replace(line, "$1 = RSEQ");

            // Descriptors: the emulator's guest shares the host process's table, so numbers differ; name them by allocation order.
            line = DescriptorArgs(line, fds);
            line = FdField().Replace(line, m => "fd=" + Fd(fds, m.Groups[1].Value));
            var pipe = PipeFds().Match(line);
            if (pipe.Success && !line.Contains("= -1", StringComparison.Ordinal))
            {
                string a = fds[pipe.Groups[2].Value] = "FD" + ++next, b = fds[pipe.Groups[3].Value] = "FD" + ++next;
                line = line[..pipe.Groups[2].Index] + a + ", " + b + line[(pipe.Groups[3].Index + pipe.Groups[3].Length)..];
            }
            string name = line.Contains('(') ? line[..line.IndexOf('(')] : "";
            var res = Result().Match(line);
            if (res.Success && ReturnsFd(name, line))
            {
                string f = fds[res.Groups[1].Value] = "FD" + ++next;
                line = line[..res.Groups[1].Index] + f;
            }
            result.Add(line);
        }
        return result;
    }

    /// <summary>Renames the arguments the table says are descriptors (Fd, AtDirFd), found by splitting the arguments at top level.</summary>
    static string DescriptorArgs(string line, Dictionary<string, string> fds)
    {
        int open = line.IndexOf('(');
        if (open <= 0 || X86_64SyscallBridge.Table.Find(line[..open]) is not { } entry) return line;
        var args = entry.Args;
        var sb = new System.Text.StringBuilder(line[..(open + 1)]);
        int depth = 0, arg = 0, start = open + 1;
        bool quoted = false;
        for (int k = open + 1; k < line.Length; k++)
        {
            char c = line[k];
            if (quoted)
            {
                if (c == '\\') k++;
                else if (c == '"') quoted = false;
                continue;
            }
            if (c == '"') quoted = true;
            else if (c is '(' or '[' or '{') depth++;
            else if (c is ']' or '}' || (c == ')' && depth > 0)) depth--;
            else if (depth == 0 && (c == ',' || c == ')'))
            {
                string text = line[start..k];
                string trimmed = text.TrimStart();
                bool isFd = arg < args.Length && args[arg].Kind is ArgKind.Fd or ArgKind.AtDirFd;
                sb.Append(isFd ? text[..(text.Length - trimmed.Length)] + Fd(fds, trimmed) : text).Append(c);
                arg++;
                start = k + 1;
                if (c == ')')
                {
                    sb.Append(line[(k + 1)..]);
                    return sb.ToString();
                }
            }
        }
        return line;
    }

    static string Fd(Dictionary<string, string> fds, string n) => fds.TryGetValue(n, out var f) ? f : n;

    /// <summary>Calls the table says return a new descriptor, plus fcntl's F_DUPFD commands.</summary>
    static bool ReturnsFd(string name, string line) =>
        X86_64SyscallBridge.Table.Find(name)?.Return == ReturnKind.Fd || (name == "fcntl" && line.Contains("F_DUPFD", StringComparison.Ordinal));
}
