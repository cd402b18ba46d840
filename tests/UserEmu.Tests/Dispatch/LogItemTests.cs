using System.Text.RegularExpressions;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Dispatch;

/// <summary>qemu's -d items for the translation pipeline: guest code in, IR, host code out, and the engine counters.</summary>
public partial class LogItemTests
{
    [GeneratedRegex(@"dispatches (\d+) \(jump cache misses (\d+)\): interpreted blocks (\d+), native entries (\d+), region runs (\d+)")]
    private static partial Regex DispatchCounts();

    [GeneratedRegex(@"native code came back (\d+) times: direct exits linked then (\d+), direct exits to blocks without native code (\d+), jump-table misses (\d+) \((\d+) to blocks with native code\), syscalls (\d+), other (\d+)")]
    private static partial Regex NativeExits();

    [Fact]
    public void InAsmOpOutAsmAndStatsDescribeEachBlock()
    {
        string log = Path.Combine(Path.GetTempPath(), $"useremu-log-{Guid.NewGuid():N}.txt");
        try
        {
            // Every block native at once: each translated block appears in all three logs.
            var r = HostCommand.Run(HostCommand.Emulator, ["-d", "in_asm,op,out_asm,stats", "-D", log, "-native-threshold", "0", "/bin/busybox", "echo", "hi"]);
            Assert.Equal(0, r.ExitStatus);
            Assert.Equal("hi\n", r.Stdout);
            string text = File.ReadAllText(log);
            int blocks = Regex.Matches(text, @"^IN: 0x[0-9a-f]+$", RegexOptions.Multiline).Count;
            Assert.True(blocks > 100, $"{blocks} blocks logged");
            Assert.Equal(blocks, Regex.Matches(text, @"^IR for block 0x", RegexOptions.Multiline).Count);
            Assert.Equal(blocks, Regex.Matches(text, @"^OUT: \[native\] 0x[0-9a-f]+$", RegexOptions.Multiline).Count);
            // Host code: the indirect entry's check of the target PC, then the chain entry and the body, marked.
            Assert.Contains("<chain>", text);
            Assert.Contains("<body>", text);
            Assert.Matches(@"OUT: \[native\] 0x[0-9a-f]+\n0x[0-9a-f]{16}:  cmp (\$0x[0-9A-Fa-f]+|%rcx),%rax\n", text);

            var counts = DispatchCounts().Match(text + r.Stderr);
            Assert.True(counts.Success, r.Stderr);
            long dispatches = long.Parse(counts.Groups[1].Value);
            long tiers = long.Parse(counts.Groups[3].Value) + long.Parse(counts.Groups[4].Value) + long.Parse(counts.Groups[5].Value);
            Assert.Equal(dispatches, tiers);
            Assert.Equal(0, long.Parse(counts.Groups[3].Value));
            Assert.True(long.Parse(counts.Groups[2].Value) >= blocks, "every new block misses the jump cache once");

            // Each native entry ends in one way back, except the last if the program exits from native code; with every
            // block native at once, none leads to a block without native code.
            var exits = NativeExits().Match(text + r.Stderr);
            Assert.True(exits.Success, r.Stderr);
            long Exit(int g) => long.Parse(exits.Groups[g].Value);
            Assert.InRange(long.Parse(counts.Groups[4].Value) - Exit(1), 0, 1);
            Assert.Equal(0, Exit(3));
            Assert.Equal(Exit(4), Exit(5));
            Assert.True(Exit(6) > 0, "busybox echo makes system calls from native code");
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public void OutAsmListsTheStubsMadeWhenFirstReached()
    {
        // Pushes and pops faulting from native code: each faulting access's out-of-line stub is made on its first run,
        // listed after the blocks, and counted by -d stats.
        string exe = GuestProgram.Build("Cpu/Programs/push_pop_fault.c", "-O1");
        string log = Path.Combine(Path.GetTempPath(), $"useremu-log-{Guid.NewGuid():N}.txt");
        try
        {
            var r = HostCommand.Run(HostCommand.Emulator, ["-d", "out_asm,stats", "-D", log, exe]);
            Assert.Equal(0, r.ExitStatus);
            string text = File.ReadAllText(log);
            var stubs = Regex.Matches(text, @"^OUT: \[native stub \d+\] 0x[0-9a-f]+\n0x[0-9a-f]{16}:  ", RegexOptions.Multiline).Count;
            Assert.True(stubs > 0, "no stub listed");
            var made = Regex.Match(text + r.Stderr, @"(\d+) stubs made when first reached");
            Assert.True(made.Success, r.Stderr);
            Assert.Equal(stubs, int.Parse(made.Groups[1].Value));
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public void ThreadsShareTheLogFile()
    {
        // Sixteen guest threads log the blocks they translate and run into one -D file at once.
        string log = Path.Combine(Path.GetTempPath(), $"useremu-log-{Guid.NewGuid():N}.txt");
        try
        {
            string exe = GuestProgram.Build("Threads/Programs/counter.c", GuestProgram.Freestanding);
            var r = HostCommand.Run(HostCommand.Emulator, ["-d", "in_asm,op,exec", "-D", log, exe]);
            Assert.Equal("", r.Stderr);
            Assert.Equal(0, r.ExitStatus);
            Assert.Contains("atomic=320000", r.Stdout);
            string text = File.ReadAllText(log);
            Assert.Equal(Regex.Matches(text, @"^IN: 0x", RegexOptions.Multiline).Count, Regex.Matches(text, @"^IR for block 0x", RegexOptions.Multiline).Count);
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public void PerfMapNamesEachNativeBlockForPerf()
    {
        // The guest shell prints its PID, which is the emulator's: the map is /tmp/perf-PID.map, as perf looks it up.
        var r = HostCommand.Run(HostCommand.Emulator, ["-perfmap", "-native-threshold", "0", "/bin/busybox", "sh", "-c", "echo $$"]);
        Assert.Equal(0, r.ExitStatus);
        string map = $"/tmp/perf-{int.Parse(r.Stdout.Trim())}.map";
        try
        {
            var lines = File.ReadAllLines(map);
            Assert.True(lines.Length > 100, $"{lines.Length} blocks named");
            foreach (var line in lines) Assert.Matches(@"^[0-9a-f]+ [0-9a-f]+ guest-0x[0-9a-f]+(\.cold)?$", line);
            // A block's out-of-line part is named as gcc names a function's cold part.
            Assert.True(lines.Count(l => l.EndsWith(".cold")) > 100);
            // Host code ranges of distinct blocks and parts do not overlap.
            var ranges = lines.Select(l => l.Split(' ')).Select(f => (Start: Convert.ToUInt64(f[0], 16), Length: Convert.ToUInt64(f[1], 16))).OrderBy(x => x.Start).ToArray();
            for (int k = 1; k < ranges.Length; k++) Assert.True(ranges[k - 1].Start + ranges[k - 1].Length <= ranges[k].Start, $"{ranges[k - 1].Start:x} {ranges[k - 1].Length:x} then {ranges[k].Start:x}");
        }
        finally
        {
            File.Delete(map);
        }
    }
}
