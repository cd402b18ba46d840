using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>The syscall instruction's own register effects (RCX, R11), in hot code that runs natively translated.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SyscallInstructionTests
{
    [Fact]
    public void SyscallLeavesTheNextAddressInRcxAndTheFlagsInR11()
    {
        // R11 is set by the dispatch loop (X86Translator.EnterSyscall), from the lazy flags of the compare before it.
        var r = GuestProgram.SameAsNative("Cpu/Programs/syscall_registers.c", ["-static", "-O1"]);
        Assert.Contains("7200 of 7200 syscalls left RFLAGS in r11 and the next address in rcx", r.Stdout);
    }
}
