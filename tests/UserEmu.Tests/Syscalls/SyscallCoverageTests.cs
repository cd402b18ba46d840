using UserEmu.Syscalls.Abi.X86_64;
using UserEmu.Syscalls.Table;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Syscalls;

/// <summary>docs/syscalls.md must be what the syscall table says; USEREMU_UPDATE_DOCS=1 rewrites it.</summary>
public class SyscallCoverageTests
{
    [Fact]
    public void CoveragePageMatchesTable()
    {
        string expected = SyscallCoverage.Markdown(X86_64Syscalls.Build());
        string path = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(GuestCompiler.SamplePath("hello.c")))!, "docs", "syscalls.md");
        if (Environment.GetEnvironmentVariable("USEREMU_UPDATE_DOCS") == "1") File.WriteAllText(path, expected);
        Assert.True(File.Exists(path) && File.ReadAllText(path) == expected,
            "docs/syscalls.md is out of date: run the tests once with USEREMU_UPDATE_DOCS=1");
    }
}
