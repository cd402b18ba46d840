using UserEmu.Host;
using Xunit;

namespace UserEmu.Tests.SignalPrograms;

/// <summary>The host signal handler's and the fork gate's machine code, kept as bytes, is what their assembler source produces.</summary>
public class NativeStubCodeTests
{
    [Fact]
    public void HandlerBytesAreTheAssembledHandler()
    {
        const ulong Address = 0x1122_3344_5566_7788;
        var expected = NativeSignalHandler.AssembleHandler(Address);
        var code = NativeSignalHandler.HandlerCode.ToArray();
        BitConverter.GetBytes(Address).CopyTo(code, NativeSignalHandler.HandlerFdAt);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(code));
    }

    [Fact]
    public void GatedSyscallBytesAreTheAssembledGate() =>
        Assert.Equal(Convert.ToHexString(NativeSignalHandler.AssembleGatedSyscall(ForkGate.InNative, ForkGate.InManaged, ForkGate.Forking)),
            Convert.ToHexString(NativeSignalHandler.GatedSyscallCode));
}
