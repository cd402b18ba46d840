using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>Calls into the legacy vsyscall page behave as Linux's emulation of it (QEMU's tests/tcg vsyscall).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class VsyscallTests
{
    [Fact]
    public void GettimeofdayTimeAndGetcpuEntriesWork()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/vsyscall.c", ["-static", "-O1"]);
        Assert.Contains("time: close to time(): 1", r.Stdout);
        Assert.Contains("rcx=1234 r11=5678", r.Stdout);
    }
}
