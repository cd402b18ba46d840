using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>Instruction fetch faults report the kernel's si_addr and RIP, and the faulting translation goes when the page comes back (QEMU's tests/tcg noexec).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class FetchFaultTests
{
    [Fact]
    public void FetchFromANonExecutablePageReportsTheFirstUnfetchableByte()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/fetch_fault.c", ["-static", "-O1"]);
        Assert.Contains("SIGSEGV code=2 addr=page2+0 rip=page2-2", r.Stdout);
        Assert.Contains("jump, straddling: first=50000 second=2 faults=1", r.Stdout);
    }
}
