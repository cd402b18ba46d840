using UserEmu.Host;
using Xunit;

namespace UserEmu.Tests.Host;

/// <summary>The fork gate waits for helper threads without blocking the ones that start another helper meanwhile.</summary>
public unsafe class ForkGateTests
{
    [Fact]
    public void AHelperThatCreatesAGateWhileAForkWaitsForItIsNotStalled()
    {
        // As the signal reader does on its first kick of a guest thread (it starts the kick retrier): in managed code
        // (its gate says so) it creates a gate, then goes back to native code. The fork waits for it; it used to do so
        // holding the lock that Create takes, and returned only at its one-second deadline with the helper still stuck.
        int* gate = ForkGate.Create();
        var inManaged = new ManualResetEventSlim();
        bool created = false;
        var helper = new Thread(() =>
        {
            inManaged.Set();
            Thread.Sleep(50); // the fork is waiting by now
            ForkGate.Leave(ForkGate.Create());
            created = true;
            ForkGate.Leave(gate);
        });
        helper.Start();
        inManaged.Wait();
        ForkGate.BeforeFork();
        bool createdBeforeTheForkWentOn = Volatile.Read(ref created);
        ForkGate.AfterForkInParent();
        helper.Join();
        Assert.True(createdBeforeTheForkWentOn);
    }
}
