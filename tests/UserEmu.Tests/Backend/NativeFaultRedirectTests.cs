using UserEmu.Backend.Native;
using Xunit;

namespace UserEmu.Tests.Backend;

/// <summary>The SIGSEGV handler that redirects native loads sits in front of the runtime's: faults elsewhere still reach it.</summary>
public class NativeFaultRedirectTests
{
    [Fact]
    public void ManagedNullDereferenceStillThrowsAfterTheHandlerIsInstalled()
    {
        Assert.True(NativeFaultRedirect.Enabled);
        int[]? array = Environment.TickCount == int.MinValue ? [1] : null;
        Assert.Throws<NullReferenceException>(() => array![0]);
    }
}
