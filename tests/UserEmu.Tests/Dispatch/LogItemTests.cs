using System.Text.RegularExpressions;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Dispatch;

/// <summary>qemu's -d items for the translation pipeline: guest code in, IR, host code out, and the engine counters.</summary>
public partial class LogItemTests
{
    [GeneratedRegex(@"dispatches (\d+) \(jump cache misses (\d+)\): interpreted blocks (\d+), native entries (\d+), region runs (\d+)")]
    private static partial Regex DispatchCounts();

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
        }
        finally
        {
            File.Delete(log);
        }
    }
}
