using System.Text.Json;
using UserEmu.Engine;
using UserEmu.Syscalls;
using UserEmu.Syscalls.Strace;
using UserEmu.Tests.Syscalls;
using Xunit;

namespace UserEmu.Tests.Strace;

/// <summary>The formatter through the bridge: whole lines, alignment, interleaved tasks, signals, exits, filters, summary and JSON.</summary>
public sealed unsafe class FormatterTests
{
    const ulong S = SyscallFixture.Scratch;

    [Fact]
    public void LinesAreAlignedAtColumn40()
    {
        using var t = new StraceCapture();
        t.Guest.Call("getppid");
        t.Guest.Call("close", unchecked((ulong)-1));
        var lines = t.Lines();
        Assert.Matches(@"^getppid\(\) += \d+$", lines[0]);
        Assert.Equal(40, lines[0].IndexOf(" = ", StringComparison.Ordinal));
        Assert.Equal("close(-1)                                = -1 EBADF (Bad file descriptor)", lines[1]);
    }

    [Fact]
    public void ExitGroupIsPrintedAtEntryWithQuestionMark()
    {
        using var t = new StraceCapture();
        Assert.Throws<GuestExitException>(() => t.Guest.Call("exit_group", 3));
        t.Formatter.OnProcessEnd(3, 0);
        Assert.Equal(["exit_group(3)                            = ?", "+++ exited with 3 +++"], t.Lines());
    }

    [Fact]
    public void OutputBufferIsShownAfterTheCallReturns()
    {
        using var t = new StraceCapture();
        string path = Path.GetTempFileName();
        File.WriteAllText(path, "hello strace\n");
        try
        {
            int fd = (int)t.Guest.Call("openat", unchecked((ulong)-100), t.Guest.PutString(S, path), 0, 0);
            t.Guest.Call("read", (ulong)fd, S + 0x100, 64);
            t.Guest.Call("close", (ulong)fd);
            var lines = t.Lines().Select(StraceCapture.Collapse).ToArray();
            Assert.Equal($"openat(AT_FDCWD, \"{path}\", O_RDONLY) = {fd}", lines[0]);
            Assert.Equal($"read({fd}, \"hello strace\\n\", 64) = 13", lines[1]);
            Assert.Equal($"close({fd}) = 0", lines[2]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void InterleavedTasksGetUnfinishedAndResumedLines()
    {
        using var t = new StraceCapture();
        var g = t.Guest;
        using var second = new Vcpu(g.Process) { Tid = 424242 };
        g.Process.Threads.Add(second);
        var a = new SyscallContext(g.Cpu, g.Bridge.Kernel, 39, 0, 0, 0, 0, 0, 0);
        var read = X86_64SyscallBridge.Table.Find("read")!;
        var getpid = X86_64SyscallBridge.Table.Find("getpid")!;
        var enterA = new SyscallContext(g.Cpu, g.Bridge.Kernel, 0, 7, S, 16, 0, 0, 0);
        t.Formatter.OnEnter(enterA, read);
        var b = new SyscallContext(second, g.Bridge.Kernel, 39, 0, 0, 0, 0, 0, 0);
        t.Formatter.OnEnter(b, getpid);
        t.Formatter.OnExit(b, getpid, 99);
        g.Memory.WriteBytes(S, "abc"u8);
        t.Formatter.OnExit(enterA, read, 3);
        int me = g.Cpu.Tid;
        Assert.Equal([
            $"[pid {me,5}] read(7,  <unfinished ...>",
            "[pid 424242] getpid() = 99",
            $"[pid {me,5}] <... read resumed>\"abc\", 16) = 3",
        ], t.Lines().Select(StraceCapture.Collapse).ToArray());
    }

    [Fact]
    public void BlockingReadInOneThreadIsResumedAfterAnotherThreadsWrite()
    {
        using var t = new StraceCapture();
        var g = t.Guest;
        Assert.Equal(0, g.Call("pipe2", S, 0));
        int rfd = (int)g.Memory.Read32(S), wfd = (int)g.Memory.Read32(S + 4);
        using var writer = new Vcpu(g.Process) { Tid = 515151 };
        g.Process.Threads.Add(writer);
        using var entered = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            entered.Set();
            g.Call("read", (ulong)rfd, S + 0x100, 16);
        });
        reader.Start();
        // Wait until a thread of ours sits in the host read(rfd) (/proc/self/task/*/syscall), then write from the second vCPU.
        entered.Wait();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!BlockedInRead(rfd) && DateTime.UtcNow < deadline) Thread.Sleep(5);
        g.Memory.WriteBytes(S + 0x200, "x"u8);
        var s = writer.State;
        s->Gpr[0] = 1;
        s->Gpr[7] = (ulong)wfd;
        s->Gpr[6] = S + 0x200;
        s->Gpr[2] = 1;
        g.Bridge.Dispatch(writer);
        reader.Join();
        Assert.Equal(1, (long)g.Cpu.State->Gpr[0]);
        g.Call("close", (ulong)rfd);
        g.Call("close", (ulong)wfd);
        int me = g.Cpu.Tid;
        var lines = t.Lines().Select(StraceCapture.Collapse).ToArray();
        // The write wakes the reader, so either may finish printing first; strace shows both orders the same way.
        string readEntry = $"[pid {me,5}] read({rfd},  <unfinished ...>", readEnd = $"[pid {me,5}] <... read resumed>\"x\", 16) = 1";
        string[] writeFirst = [readEntry, $"[pid 515151] write({wfd}, \"x\", 1) = 1", readEnd];
        string[] readFirst = [readEntry, $"[pid 515151] write({wfd}, \"x\", 1 <unfinished ...>", readEnd, "[pid 515151] <... write resumed>) = 1"];
        string all = string.Join("\n", lines);
        Assert.True(writeFirst.SequenceEqual(lines[1..4]) || readFirst.SequenceEqual(lines[1..5]), all);
    }

    [Fact]
    public void ForkChildStartsWithItsOwnFirstCall()
    {
        using var t = new StraceCapture();
        var g = t.Guest;
        var fork = X86_64SyscallBridge.Table.Find("fork")!;
        var c = new SyscallContext(g.Cpu, g.Bridge.Kernel, 57, 0, 0, 0, 0, 0, 0);
        t.Formatter.OnEnter(c, fork);
        // The return in the child: a new task id, result 0.
        int parent = g.Cpu.Tid;
        g.Cpu.Tid = 777777;
        t.Formatter.OnExit(c, fork, 0);
        g.Call("getppid");
        g.Cpu.Tid = parent;
        var lines = t.Lines().Select(StraceCapture.Collapse).ToArray();
        Assert.Single(lines);
        Assert.Matches(@"^\[pid 777777\] getppid\(\) = \d+$", lines[0]);
    }

    [Fact]
    public void ForkParentPrintsThePidAndPrefixesFromThenOn()
    {
        using var t = new StraceCapture();
        var g = t.Guest;
        var fork = X86_64SyscallBridge.Table.Find("fork")!;
        var c = new SyscallContext(g.Cpu, g.Bridge.Kernel, 57, 0, 0, 0, 0, 0, 0);
        t.Formatter.OnEnter(c, fork);
        t.Formatter.OnExit(c, fork, 4242);
        g.Call("getppid");
        var lines = t.Lines().Select(StraceCapture.Collapse).ToArray();
        Assert.Equal("fork() = 4242", lines[0]);
        Assert.Matches($@"^\[pid {g.Cpu.Tid,5}\] getppid\(\) = \d+$", lines[1]);
    }

    static bool BlockedInRead(int fd)
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "syscall")).StartsWith($"0 0x{fd:x} ", StringComparison.Ordinal)) return true;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return false;
    }

    [Fact]
    public void SocketLengthShowsEntryAndExitValues()
    {
        using var t = new StraceCapture();
        var g = t.Guest;
        var getsockname = X86_64SyscallBridge.Table.Find("getsockname")!;
        g.Memory.Write32(S + 0x100, 128);
        var c = new SyscallContext(g.Cpu, g.Bridge.Kernel, 51, 3, S, S + 0x100, 0, 0, 0);
        t.Formatter.OnEnter(c, getsockname);
        g.Memory.WriteBytes(S, [1, 0]);
        g.Memory.Write32(S + 0x100, 2);
        t.Formatter.OnExit(c, getsockname, 0);
        Assert.Equal("getsockname(3, {sa_family=AF_UNIX}, [128 => 2]) = 0", StraceCapture.Collapse(t.Lines()[0]));
    }

    [Fact]
    public void SignalsAndDeathAreTraced()
    {
        using var t = new StraceCapture();
        t.Formatter.OnSignal(t.Guest.Cpu, new GuestSignalInfo(Signals.SIGSEGV, Signals.SEGV_MAPERR, 0x1234));
        t.Formatter.OnProcessEnd(0, Signals.SIGSEGV);
        t.Formatter.OnProcessEnd(0, 0); // reported once
        Assert.Equal(["--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x1234} ---", "+++ killed by SIGSEGV +++"], t.Lines());
    }

    [Fact]
    public void FirstLineIsTheStartingExecve()
    {
        using var t = new StraceCapture();
        t.Formatter.OnStart("./prog", ["./prog", "a b"], 0x7ffe284fd758, 43);
        Assert.Equal("execve(\"./prog\", [\"./prog\", \"a b\"], 0x7ffe284fd758 /* 43 vars */) = 0", StraceCapture.Collapse(t.Lines()[0]));
    }

    [Fact]
    public void FilterByNameAndClass()
    {
        using var t = new StraceCapture(new StraceOptions { Filter = "%desc,getppid" });
        t.Guest.Call("getpid");
        t.Guest.Call("getppid");
        t.Guest.Call("close", unchecked((ulong)-1));
        t.Guest.Call("munmap", 0x700000, 4096);
        var names = t.Lines().Select(l => l[..l.IndexOf('(')]).ToArray();
        Assert.Equal(["getppid", "close"], names);
        Assert.Throws<ArgumentException>(() => StraceFilter.Parse("nosuchcall", X86_64SyscallBridge.Table));
        var memory = StraceFilter.Parse("%memory", X86_64SyscallBridge.Table);
        Assert.True(memory.Traces(9));
        Assert.False(memory.Traces(0));
        var regex = StraceFilter.Parse("/^(mmap|munmap)$/", X86_64SyscallBridge.Table);
        Assert.True(regex.Traces(9) && regex.Traces(11));
        Assert.False(regex.Traces(10));
        var notMemory = StraceFilter.Parse("!%memory", X86_64SyscallBridge.Table);
        Assert.False(notMemory.Traces(9));
        Assert.True(notMemory.Traces(0));
    }

    [Fact]
    public void SummaryCountsCallsAndErrors()
    {
        using var t = new StraceCapture(new StraceOptions { Lines = false, Summary = true });
        t.Guest.Call("getppid");
        t.Guest.Call("getppid");
        t.Guest.Call("close", unchecked((ulong)-1));
        Assert.Throws<GuestExitException>(() => t.Guest.Call("exit_group", 0));
        t.Formatter.OnProcessEnd(0, 0);
        var lines = t.Lines();
        Assert.Equal("% time     seconds  usecs/call     calls    errors syscall", lines[0]);
        Assert.Equal("------ ----------- ----------- --------- --------- ----------------", lines[1]);
        Assert.Contains(lines, l => l.EndsWith(" getppid") && l[31..40].Trim() == "2" && l[41..50].Trim() == "");
        Assert.Contains(lines, l => l.EndsWith(" close") && l[31..40].Trim() == "1" && l[41..50].Trim() == "1");
        // As strace -c, a call that never returns (exit_group) is not counted.
        Assert.DoesNotContain(lines, l => l.EndsWith(" exit_group"));
        Assert.Matches(@"^100\.00 +\d+\.\d{6} +\d+ +3 +1 total$", lines[^1]);
    }

    [Fact]
    public void JsonLinesParseAndMatchTheText()
    {
        using var text = new StraceCapture();
        using var json = new StraceCapture(new StraceOptions { Json = true });
        foreach (var t in new[] { text, json })
        {
            t.Guest.Call("close", unchecked((ulong)-1));
            t.Guest.Call("write", unchecked((ulong)-1), t.Guest.PutString(S, "hi\n"), 3);
            t.Guest.Call("getppid");
            t.Formatter.OnProcessEnd(0, 0);
        }
        var textLines = text.Lines();
        var jsonLines = json.Lines();
        Assert.Equal(textLines.Length, jsonLines.Length);
        for (int k = 0; k < textLines.Length - 1; k++)
        {
            using var doc = JsonDocument.Parse(jsonLines[k]);
            var o = doc.RootElement;
            string rebuilt = $"{o.GetProperty("name").GetString()}({string.Join(", ", o.GetProperty("args").EnumerateArray().Select(a => a.GetString()))}) = {o.GetProperty("retstr").GetString()}";
            Assert.Equal(StraceCapture.Collapse(textLines[k]), rebuilt);
            Assert.Equal(Environment.ProcessId, o.GetProperty("pid").GetInt32());
            Assert.True(o.GetProperty("duration").GetDouble() >= 0);
            Assert.True(o.GetProperty("start").GetDouble() > 1e9);
        }
        using (var first = JsonDocument.Parse(jsonLines[0]))
        {
            Assert.Equal(3, first.RootElement.GetProperty("nr").GetInt32());
            Assert.Equal(-9, first.RootElement.GetProperty("ret").GetInt64());
            Assert.Equal("EBADF", first.RootElement.GetProperty("errno").GetString());
            Assert.Equal(ulong.MaxValue, first.RootElement.GetProperty("raw")[0].GetUInt64());
        }
        using var end = JsonDocument.Parse(jsonLines[^1]);
        Assert.Equal(0, end.RootElement.GetProperty("exited").GetInt32());
    }
}
