using System.Diagnostics;
using System.Text.RegularExpressions;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Strace;

/// <summary>The System V IPC calls traced natively by strace and by useremu -strace: the same lines once ids, times and addresses are named.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class IpcTraceTests
{
    [GeneratedRegex(@"^(shm|sem|msg)[a-z]*\(")]
    private static partial Regex IpcCall();

    [GeneratedRegex(@"^((?:shm|sem|msg)(?:at|ctl|snd|rcv|op|timedop))\((\d+)")]
    private static partial Regex IdArgument();

    [GeneratedRegex(@"^((?:shm|sem|msg)get\(.*\) = )(\d+)$")]
    private static partial Regex GetResult();

    [GeneratedRegex(@"_(cpid|lpid|lspid|lrpid)=\d+")]
    private static partial Regex Pid();

    [GeneratedRegex(@"_([a-z]?time)=\d+")]
    private static partial Regex Time();

    const string Strace = "/usr/bin/strace";

    [FactNeeds(Strace)]
    public void IpcTraceMatchesNativeStrace()
    {
        string exe = GuestProgram.Build("Syscalls/Programs/sysv_trace.c", "-static", "-O1", "-w");
        string dir = Directory.CreateTempSubdirectory("useremu-strace-ipc-").FullName;
        try
        {
            string nativeTrace = Path.Combine(dir, "native.txt"), emuTrace = Path.Combine(dir, "emu.txt");
            Run(Strace, ["-o", nativeTrace, exe]);
            Run(GuestProgram.Emulator, ["-strace-file", emuTrace, exe]);
            var expected = Ipc(File.ReadAllLines(nativeTrace));
            var actual = Ipc(File.ReadAllLines(emuTrace));
            Assert.True(expected.Count >= 30, "strace showed too few IPC calls:\n" + string.Join('\n', expected));
            Assert.Equal(string.Join('\n', expected), string.Join('\n', actual));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // The pids in the structures are named by their field (strace -o without -f writes no pid to name them by).
    const int NoPid = int.MaxValue;

    /// <summary>The IPC lines of a trace, normalised; ids are named by creation order (both runs create them in the same order).</summary>
    static List<string> Ipc(IEnumerable<string> lines)
    {
        var ids = new Dictionary<string, string>();
        var result = new List<string>();
        foreach (var line in TraceNormalizer.Normalize(lines, NoPid))
        {
            if (!IpcCall().IsMatch(line)) continue;
            string l = Time().Replace(line, "_$1=T");
            var get = GetResult().Match(l);
            // Ids are per kind of object: a segment and a queue may have the same number.
            if (get.Success)
            {
                string key = l[..3] + get.Groups[2].Value;
                if (!ids.TryGetValue(key, out var name)) ids[key] = name = "ID" + ids.Count;
                l = get.Groups[1].Value + name;
            }
            l = IdArgument().Replace(l, m => m.Groups[1].Value + "(" + (ids.TryGetValue(m.Groups[1].Value[..3] + m.Groups[2].Value, out var n) ? n : m.Groups[2].Value));
            l = Pid().Replace(l, "_$1=PID");
            result.Add(l);
        }
        return result;
    }

    static void Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
