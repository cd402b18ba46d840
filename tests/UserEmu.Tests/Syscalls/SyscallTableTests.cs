using System.Text.RegularExpressions;
using UserEmu.Engine;
using UserEmu.Host;
using UserEmu.Syscalls;
using UserEmu.Syscalls.Table;
using Xunit;

namespace UserEmu.Tests.Syscalls;

/// <summary>The x86-64 table is complete and consistent, and unknown calls behave as on a kernel without them.</summary>
public sealed class SyscallTableTests
{
    static SyscallTable Table => X86_64SyscallBridge.Table;

    [Fact]
    public void EveryKernelNumberHasItsName()
    {
        for (int n = 0; n <= 470; n++)
        {
            bool assigned = n <= 336 || n >= 424;
            Assert.True(assigned == (Table[(ulong)n] != null), $"syscall {n}");
            if (Table[(ulong)n] is { } e) Assert.Equal(n, e.Number);
        }
        Assert.Equal("read", Table[0]!.Name);
        Assert.Equal("rseq", Table[334]!.Name);
        Assert.Equal("listns", Table[470]!.Name);
        Assert.Null(Table[471]);
        Assert.Null(Table[ulong.MaxValue]);
    }

    [Fact]
    public void NamesMatchTheHostHeader()
    {
        const string header = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h";
        if (!File.Exists(header)) return;
        int checkedCount = 0;
        foreach (Match m in Regex.Matches(File.ReadAllText(header), @"#define __NR_(\w+) (\d+)"))
        {
            int nr = int.Parse(m.Groups[2].Value);
            Assert.Equal(m.Groups[1].Value, Table[(ulong)nr]?.Name);
            checkedCount++;
        }
        Assert.True(checkedCount > 300);
    }

    [Fact]
    public void HotCallsAreImplementedAndDescribed()
    {
        foreach (var name in new[] { "read", "write", "openat", "close", "mmap", "munmap", "brk", "fstat", "newfstatat", "exit_group" })
            Assert.NotNull(Table.Find(name)!.Handler);
        var read = Table.Find("read")!;
        Assert.Equal([ArgKind.Fd, ArgKind.BufOut, ArgKind.ULong], read.Args.ToArray().Select(a => a.Kind));
        Assert.Equal(ArgSpec.LenFromReturn, read.Args[1].Len);
        Assert.Equal(2, Table.Find("write")!.Args[1].Len);
        Assert.Equal(ReturnKind.Hex, Table.Find("mmap")!.Return);
        Assert.Equal(ReturnKind.Fd, Table.Find("openat")!.Return);
        Assert.True(Table.Find("openat")!.Class.HasFlag(TraceClass.File | TraceClass.Desc));
    }

    [Fact]
    public void UnsupportedSyscallIsEnosysWithOneWarning()
    {
        using var g = new SyscallFixture();
        var err = new StringWriter();
        var saved = HostStderr.Messages;
        HostStderr.Messages = err;
        try
        {
            int nr = SyscallFixture.Nr("kexec_load");
            Assert.Equal(-38, g.Call(nr));
            Assert.Equal(-38, g.Call(nr));
            Assert.Equal(-38, g.Call(1000));
            Assert.Equal(-38, g.Call(0x40000000)); // the x32 ABI bit
        }
        finally
        {
            HostStderr.Messages = saved;
        }
        var lines = err.ToString().Split('\n');
        Assert.Single(lines, l => l == "useremu: unsupported syscall 246 (kexec_load)");
        Assert.Single(lines, l => l == "useremu: unsupported syscall 1000 (unknown)");
    }

    [Fact]
    public void QuietOptionSilencesTheWarning()
    {
        using var g = new SyscallFixture(new EmulatorOptions { QuietUnimplemented = true });
        var err = new StringWriter();
        var saved = HostStderr.Messages;
        HostStderr.Messages = err;
        try
        {
            Assert.Equal(-38, g.Call("kexec_load"));
        }
        finally
        {
            HostStderr.Messages = saved;
        }
        Assert.DoesNotContain("kexec_load", err.ToString());
    }
}
