using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Network;

/// <summary>Static glibc programs using AF_UNIX, TCP and UDP sockets give the native output and exit status under the emulator.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SocketTests
{
    static readonly string[] Glibc = ["-static", "-O1", "-w"];

    static ProgramResult SameAsNative(string source) => GuestProgram.SameAsNative(source, Glibc);

    [Fact]
    public void UnixSocketpairPassesFdsAndCredentials()
    {
        var r = SameAsNative("Network/Programs/unix_pair.c");
        Assert.Contains("data via, distinct=1, cloexec=1", r.Stdout);
        Assert.Contains("controllen=20 ctrunc=1", r.Stdout);
        Assert.Contains("type=2 pid_ok=1 uid_ok=1 gid_ok=1 data=datagram", r.Stdout);
        Assert.Contains("sigpipes=1", r.Stdout);
    }

    [Fact]
    public void UnixServerAndForkedClientWithPathAbstractAndAutoboundNames()
    {
        var r = SameAsNative("Network/Programs/unix_server.c");
        Assert.Contains("server got: child sees peer len ok=1", r.Stdout);
        Assert.Contains("autobound len=8 abstract=1", r.Stdout);
    }

    [Fact]
    public void TcpAndUdpOnLoopbackV4AndV6WithOptionsAndMultiMessageCalls()
    {
        var r = SameAsNative("Network/Programs/inet.c");
        Assert.Contains("accepted=1 peer len=28 peer is the client=1", r.Stdout);
        Assert.Contains("got dgram-0 dgram-1 dgram-2 lens 7 8 9 namelen 16 from the sender=1", r.Stdout);
        Assert.Contains("linger=1,3 len=8", r.Stdout);
    }

    [Fact]
    public void SignalsInterruptOrRestartBlockingSocketCalls()
    {
        var r = SameAsNative("Network/Programs/interrupt.c");
        Assert.Contains("recv, handler with SA_RESTART = 4 errno=0", r.Stdout);
        Assert.Contains("recv with SO_RCVTIMEO, handler with SA_RESTART = -1 errno=4", r.Stdout);
    }

    [Fact]
    public void ClassicBpfFilterIsAttachedThroughItsTranslatedPointer() =>
        Assert.Contains("recv=3 abc", SameAsNative("Network/Programs/bpf_filter.c").Stdout);
}
