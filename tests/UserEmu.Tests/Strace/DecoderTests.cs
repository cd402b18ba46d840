using System.Text;
using UserEmu.Syscalls;
using UserEmu.Syscalls.Strace;
using UserEmu.Syscalls.Table;
using UserEmu.Tests.Syscalls;
using Xunit;

namespace UserEmu.Tests.Strace;

/// <summary>Each decoder family against the exact text strace 6.1 prints for the same values (taken from native strace runs).</summary>
public sealed class DecoderTests : IDisposable
{
    const ulong S = SyscallFixture.Scratch;
    readonly SyscallFixture _g = new();

    public void Dispose() => _g.Dispose();

    string Format(string name, long result, params ulong[] args)
    {
        var call = new TraceCall();
        call.Set(X86_64SyscallBridge.Table.Find(name)!, new TraceMemory(_g.Memory), args);
        call.Return(result);
        return StraceCapture.Format(call);
    }

    ulong Str(ulong at, string s) => _g.PutString(at, s);

    void Bytes(ulong at, params byte[] b) => _g.Memory.WriteBytes(at, b);

    void Q(ulong at, params ulong[] v)
    {
        for (int k = 0; k < v.Length; k++) _g.Memory.Write64(at + (ulong)k * 8, v[k]);
    }

    // ---- strings and buffers ----

    [Fact]
    public void WriteEscapesLikeStrace()
    {
        Bytes(S, "hi\n\x01\x02"u8.ToArray().Concat("7\t\"\\"u8.ToArray()).ToArray());
        Assert.Equal("write(1, \"hi\\n\\1\\0027\\t\\\"\\\\\", 9) = 9", Format("write", 9, 1, S, 9));
    }

    [Fact]
    public void BinaryBytesUseShortestOctal()
    {
        // The start of libc.so.6 as strace 6.1 showed glibc's loader reading it.
        Bytes(S, 0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0, 1, 0, 0, 0, 0x10, 0x74, 2, 0, 0, 0, 0, 0);
        Assert.Equal("read(3, \"\\177ELF\\2\\1\\1\\3\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0>\\0\\1\\0\\0\\0\\20t\\2\\0\\0\\0\\0\\0\"..., 832) = 832",
            Format("read", 832, 3, S, 832));
    }

    [Fact]
    public void LongBufferIsCutAt32BytesWithEllipsis()
    {
        Bytes(S, Encoding.ASCII.GetBytes("0123456789012345678901234567890123456789"));
        Assert.Equal("write(1, \"01234567890123456789012345678901\"..., 40) = 40", Format("write", 40, 1, S, 40));
    }

    [Fact]
    public void ReadShowsTheBytesReturnedAndAddressOnError()
    {
        Bytes(S, "vm\n"u8.ToArray());
        Assert.Equal("read(3, \"vm\\n\", 64) = 3", Format("read", 3, 3, S, 64));
        Assert.Equal("read(3, 0x100000, 64) = -1 EAGAIN (Resource temporarily unavailable)", Format("read", -11, 3, S, 64));
    }

    [Fact]
    public void OpenatShowsModeOnlyWithOCreat()
    {
        Str(S, "/etc/passwd");
        Assert.Equal("openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3", Format("openat", 3, unchecked((ulong)-100), S, 0x80000, 0));
        Str(S, "/nonexistent/dir/x");
        Assert.Equal("openat(AT_FDCWD, \"/nonexistent/dir/x\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = -1 ENOENT (No such file or directory)",
            Format("openat", -2, unchecked((ulong)-100), S, 0x241, 0x1a4));
        Assert.Equal("openat(AT_FDCWD, \"/tmp\", O_RDONLY|O_DIRECTORY) = 4", Format("openat", 4, unchecked((ulong)-100), Str(S, "/tmp"), 0x10000, 0));
    }

    [Fact]
    public void ExecveArgvAndEnvironment()
    {
        Str(S, "./t");
        Q(S + 0x100, S, 0);
        Q(S + 0x200, S, S, S, 0);
        Assert.Equal("execve(\"./t\", [\"./t\"], 0x100200 /* 3 vars */) = 0", Format("execve", 0, S, S + 0x100, S + 0x200));
    }

    [Fact]
    public void WritevIovecs()
    {
        Str(S, "ab");
        Str(S + 8, "c\n");
        Q(S + 0x100, S, 2, S + 8, 2);
        Assert.Equal("writev(1, [{iov_base=\"ab\", iov_len=2}, {iov_base=\"c\\n\", iov_len=2}], 2) = 4", Format("writev", 4, 1, S + 0x100, 2));
    }

    [Fact]
    public void GetrandomShowsHexBytes()
    {
        Bytes(S, 0x49, 0x28, 0x47, 0xe9, 0x69, 0xb8, 0x8c, 0x36);
        Assert.Equal("getrandom(\"\\x49\\x28\\x47\\xe9\\x69\\xb8\\x8c\\x36\", 8, GRND_NONBLOCK) = 8", Format("getrandom", 8, S, 8, 1));
    }

    // ---- flags and enums ----

    [Fact]
    public void MmapProtAndFlags()
    {
        Assert.Equal("mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7fbfe4350000",
            Format("mmap", 0x7fbfe4350000, 0, 8192, 3, 0x22, ulong.MaxValue, 0));
        Assert.Equal("mmap(0x7fbfe418b000, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x26000) = 0x7fbfe418b000",
            Format("mmap", 0x7fbfe418b000, 0x7fbfe418b000, 1400832, 5, 0x812, 3, 0x26000));
        Assert.Equal("mprotect(0x7fbfe434e000, 4096, PROT_NONE) = 0", Format("mprotect", 0, 0x7fbfe434e000, 4096, 0));
        Assert.Equal("brk(NULL) = 0x55e42be57000", Format("brk", 0x55e42be57000, 0));
    }

    [Fact]
    public void FcntlCommandsAndResults()
    {
        Assert.Equal("fcntl(3, F_GETFL) = 0x8000 (flags O_RDONLY|O_LARGEFILE)", Format("fcntl", 0x8000, 3, 3, 0));
        Assert.Equal("fcntl(3, F_SETFD, FD_CLOEXEC) = 0", Format("fcntl", 0, 3, 2, 1));
        Assert.Equal("fcntl(3, F_DUPFD_CLOEXEC, 10) = 11", Format("fcntl", 11, 3, 1030, 10));
        Assert.Equal("fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)", Format("fcntl", 1, 3, 1, 0));
    }

    [Fact]
    public void AccessLseekDupAndFutex()
    {
        Assert.Equal("access(\"/etc/passwd\", R_OK|W_OK) = 0", Format("access", 0, Str(S, "/etc/passwd"), 6));
        Assert.Equal("access(\"/x\", F_OK) = -1 ENOENT (No such file or directory)", Format("access", -2, Str(S, "/x"), 0));
        Assert.Equal("lseek(3, 0, SEEK_SET) = 0", Format("lseek", 0, 3, 0, 0));
        Assert.Equal("dup3(7, 21, O_CLOEXEC) = 21", Format("dup3", 21, 7, 21, 0x80000));
        Assert.Equal("futex(0x7ffde286c21c, FUTEX_WAKE_PRIVATE, 1) = 0", Format("futex", 0, 0x7ffde286c21c, 129, 1, 0, 0, 0));
        Assert.Equal("futex(0x4c6d0c, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, NULL, FUTEX_BITSET_MATCH_ANY) = 0",
            Format("futex", 0, 0x4c6d0c, 0x189, 0, 0, 0, 0xffffffff));
        Assert.Equal("mkdir(\"/tmp/zz\", 0755) = 0", Format("mkdir", 0, Str(S, "/tmp/zz"), 0x1ed));
        Assert.Equal("umask(022) = 02", Format("umask", 2, 0x12));
    }

    [Fact]
    public void CloneFlagsWithExitSignal()
    {
        Assert.Equal("clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7fbfe4162a10) = 7594",
            Format("clone", 7594, 0x01200011, 0, 0, 0x7fbfe4162a10, 0));
        _g.Memory.Write32(S, 1235);
        Assert.Equal("clone(child_stack=0x7f0000001000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, parent_tid=[1235], child_tidptr=0x100000, tls=0x7f0000002000) = 1235",
            Format("clone", 1235, 0x3d0f00, 0x7f0000001000, S, S, 0x7f0000002000));
    }

    [Fact]
    public void ArchPrctlPrctlIoctlSocket()
    {
        Assert.Equal("arch_prctl(ARCH_SET_FS, 0x7fbfe4162740) = 0", Format("arch_prctl", 0, 0x1002, 0x7fbfe4162740));
        Assert.Equal("arch_prctl(0x3001 /* ARCH_??? */, 0x7ffd0000) = -1 EINVAL (Invalid argument)", Format("arch_prctl", -22, 0x3001, 0x7ffd0000));
        Assert.Equal("prctl(PR_SET_NAME, \"abc\") = 0", Format("prctl", 0, 15, Str(S, "abc"), 0, 0, 0));
        Assert.Equal("ioctl(1, TCGETS, 0x7ffde286c1b0) = -1 ENOTTY (Inappropriate ioctl for device)", Format("ioctl", -25, 1, 0x5401, 0x7ffde286c1b0));
        Assert.Equal("ioctl(3, _IOC(_IOC_READ, 0x66, 0x77, 0x8), 0x1000) = 0", Format("ioctl", 0, 3, 0x80086677, 0x1000));
        Assert.Equal("ioctl(0, FIONREAD, 0x7ffde286c21c) = -1 ENOTTY (Inappropriate ioctl for device)", Format("ioctl", -25, 0, 0x541B, 0x7ffde286c21c));
        Assert.Equal("socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3", Format("socket", 3, 2, 0x80001, 0));
        Assert.Equal("socket(AF_UNIX, SOCK_DGRAM, 0) = 3", Format("socket", 3, 1, 2, 0));
    }

    [Fact]
    public void EveryTableRowDecodesWithoutFaultingOnAnyPointer()
    {
        // Zeroed memory, an unmapped address and NULL for every argument of every syscall, on entry and after success or failure.
        ulong[] values = [S + 0x800, 0xdead0000, 0];
        long failures = UserEmu.Syscalls.Strace.Decoders.ArgDecoder.DecodeFailures;
        foreach (var entry in X86_64SyscallBridge.Table.Entries)
            foreach (ulong v in values)
                foreach (long result in new long[] { 0, 8, -14 })
                {
                    var call = new TraceCall();
                    call.Set(entry, new TraceMemory(_g.Memory), v, v, v, v, v, v);
                    string atEntry = StraceCapture.Format(call);
                    call.Return(result);
                    string atExit = StraceCapture.Format(call);
                    foreach (var text in new[] { atEntry, atExit })
                    {
                        Assert.StartsWith(entry.Name + "(", text);
                        foreach (var kind in Enum.GetNames<ArgKind>())
                            Assert.DoesNotContain("/* " + kind + " */", text);
                    }
                }
        Assert.Equal(failures, UserEmu.Syscalls.Strace.Decoders.ArgDecoder.DecodeFailures);
    }

    [Fact]
    public void TerminalIoctls()
    {
        // A pty's settings, as strace 6.1 printed them for the same program run natively under script(1).
        _g.Memory.Write32(S, 0x500);
        _g.Memory.Write32(S + 4, 0x5);
        _g.Memory.Write32(S + 8, 0xbf);
        _g.Memory.Write32(S + 12, 0x8a3b);
        const string termios = "{c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}";
        Assert.Equal($"ioctl(1, TCGETS, {termios}) = 0", Format("ioctl", 0, 1, 0x5401, S));
        Assert.Equal($"ioctl(1, SNDCTL_TMR_START or TCSETS, {termios}) = 0", Format("ioctl", 0, 1, 0x5402, S));
        Assert.Equal("ioctl(1, TCGETS, 0x100000) = -1 ENOTTY (Inappropriate ioctl for device)", Format("ioctl", -25, 1, 0x5401, S));
        Q(S + 0x40, 0x50_0018); // 24 rows, 80 columns
        Assert.Equal("ioctl(1, TIOCGWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0", Format("ioctl", 0, 1, 0x5413, S + 0x40));
        _g.Memory.Write32(S + 0x80, 0);
        Assert.Equal("ioctl(1, FIONREAD, [0]) = 0", Format("ioctl", 0, 1, 0x541B, S + 0x80));
        Assert.Equal("ioctl(1, FIOCLEX) = 0", Format("ioctl", 0, 1, 0x5451, 0));
    }

    // ---- structs ----

    [Fact]
    public void StatStructs()
    {
        _g.Memory.Write32(S + 24, 0x81a4); // S_IFREG|0644
        _g.Memory.Write64(S + 48, 1221);
        Assert.Equal("fstat(3, {st_mode=S_IFREG|0644, st_size=1221, ...}) = 0", Format("fstat", 0, 3, S));
        _g.Memory.Write32(S + 24, 0x21b6); // S_IFCHR|0666
        _g.Memory.Write64(S + 40, 0x103);
        Assert.Equal("newfstatat(AT_FDCWD, \"/dev/null\", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}, 0) = 0",
            Format("newfstatat", 0, unchecked((ulong)-100), Str(S + 0x200, "/dev/null"), S, 0));
        Assert.Equal("newfstatat(AT_FDCWD, \"/nonexist\", 0x100000, AT_SYMLINK_NOFOLLOW) = -1 ENOENT (No such file or directory)",
            Format("newfstatat", -2, unchecked((ulong)-100), Str(S + 0x200, "/nonexist"), S, 0x100));
        _g.Memory.Write32(S + 24, 0x43ff); // S_IFDIR|S_ISVTX|0777
        Assert.Equal("stat(\"/tmp\", {st_mode=S_IFDIR|S_ISVTX|0777, st_size=1221, ...}) = 0", Format("stat", 0, Str(S + 0x200, "/tmp"), S));
    }

    [Fact]
    public void TimeAndLimitStructs()
    {
        Q(S, 0, 1000);
        Assert.Equal("clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=1000}, NULL) = 0", Format("clock_nanosleep", 0, 0, 0, S, 0));
        Q(S, 1796130657, 954284273);
        Assert.Equal("clock_gettime(CLOCK_REALTIME, {tv_sec=1796130657, tv_nsec=954284273}) = 0", Format("clock_gettime", 0, 0, S));
        Q(S, 1796130657, 954296);
        Assert.Equal("gettimeofday({tv_sec=1796130657, tv_usec=954296}, NULL) = 0", Format("gettimeofday", 0, S, 0));
        Q(S, 8192 * 1024, ulong.MaxValue);
        Assert.Equal("prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0", Format("prlimit64", 0, 0, 3, 0, S));
        Q(S, 20000, 20000);
        Assert.Equal("prlimit64(0, RLIMIT_NOFILE, {rlim_cur=20000, rlim_max=20000}, NULL) = 0", Format("prlimit64", 0, 0, 7, S, 0));
        Assert.Equal("getrlimit(RLIMIT_NOFILE, {rlim_cur=20000, rlim_max=20000}) = 0", Format("getrlimit", 0, 7, S));
    }

    [Fact]
    public void TimeShowsTheDate()
    {
        // strace prints local time; the expectation follows the host's zone the same way.
        string date = UserEmu.Syscalls.Strace.Decoders.StructDecoders.Date(1796132812)!;
        Assert.Matches(@"^2026-12-0[12]T\d\d:\d\d:52[+-]\d{4}$", date);
        Assert.Equal($"time(NULL) = 1796132812 ({date})", Format("time", 1796132812, 0));
        Q(S, 1796132812);
        Assert.Equal($"time([1796132812 /* {date} */]) = 1796132812 ({date})", Format("time", 1796132812, S));
    }

    [Fact]
    public void UtsnamePipeWaitStatus()
    {
        Str(S, "Linux");
        Str(S + 65, "vm");
        Assert.Equal("uname({sysname=\"Linux\", nodename=\"vm\", ...}) = 0", Format("uname", 0, S));
        _g.Memory.Write32(S, 5);
        _g.Memory.Write32(S + 4, 6);
        Assert.Equal("pipe2([5, 6], O_CLOEXEC) = 0", Format("pipe2", 0, S, 0x80000));
        Assert.Equal("pipe2([5, 6], 0) = 0", Format("pipe2", 0, S, 0));
        _g.Memory.Write32(S, 3 << 8);
        Assert.Equal("wait4(7594, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 7594", Format("wait4", 7594, 7594, S, 0, 0));
        _g.Memory.Write32(S, 9);
        Assert.Equal("wait4(-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], WNOHANG, NULL) = 12", Format("wait4", 12, ulong.MaxValue, S, 1, 0));
    }

    [Fact]
    public void SocketAddressesAndPoll()
    {
        Bytes(S, 2, 0, 0, 1, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0);
        Assert.Equal("connect(3, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 ECONNREFUSED (Connection refused)",
            Format("connect", -111, 3, S, 16));
        Bytes(S, 1, 0);
        Str(S + 2, "/tmp/nosock");
        Assert.Equal("connect(3, {sa_family=AF_UNIX, sun_path=\"/tmp/nosock\"}, 110) = -1 ENOENT (No such file or directory)",
            Format("connect", -2, 3, S, 110));
        _g.Memory.Write32(S, 1);
        _g.Memory.Write16(S + 4, 4);
        _g.Memory.Write16(S + 6, 4);
        Assert.Equal("poll([{fd=1, events=POLLOUT}], 1, 0) = 1 ([{fd=1, revents=POLLOUT}])", Format("poll", 1, S, 1, 0));
        Assert.Equal("poll([{fd=1, events=POLLOUT}], 1, 0) = 0 (Timeout)", Format("poll", 0, S, 1, 0));
        _g.Memory.Write64(S + 0x100, 2);
        Q(S + 0x200, 0, 0);
        Assert.Equal("pselect6(2, NULL, [1], NULL, {tv_sec=0, tv_nsec=0}, NULL) = 1 (out [1], left {tv_sec=0, tv_nsec=0})",
            Format("pselect6", 1, 2, 0, S + 0x100, 0, S + 0x200, 0));
    }

    // ---- signals ----

    [Fact]
    public void SigactionAndMasks()
    {
        Q(S, 0x55e41531d419, 0x14000000, 0x7fbfe41a1050, 1UL << 14);
        Assert.Equal("rt_sigaction(SIGUSR1, {sa_handler=0x55e41531d419, sa_mask=[TERM], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7fbfe41a1050}, NULL, 8) = 0",
            Format("rt_sigaction", 0, 10, S, 0, 8));
        Q(S + 0x100, 0, 0, 0, 0);
        Assert.Equal("rt_sigaction(SIGUSR1, NULL, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0", Format("rt_sigaction", 0, 10, 0, S + 0x100, 8));
        Q(S + 0x200, 2);
        Assert.Equal("rt_sigprocmask(SIG_UNBLOCK, [INT], [INT], 8) = 0", Format("rt_sigprocmask", 0, 1, S + 0x200, S + 0x200, 8));
        Q(S + 0x200, ~0UL);
        Assert.Equal("rt_sigprocmask(SIG_BLOCK, ~[], NULL, 8) = 0", Format("rt_sigprocmask", 0, 0, S + 0x200, 0, 8));
        Assert.Equal("kill(7593, SIGUSR1) = 0", Format("kill", 0, 7593, 10));
    }

    [Fact]
    public void SiginfoLines()
    {
        var sb = new StringBuilder();
        UserEmu.Syscalls.Strace.Decoders.SignalDecoders.SigInfo(sb, new Engine.GuestSignalInfo(11, 1, 0x1234));
        Assert.Equal("{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x1234}", sb.ToString());
        sb.Clear();
        UserEmu.Syscalls.Strace.Decoders.SignalDecoders.SigInfo(sb, new Engine.GuestSignalInfo(10, 0, 0, 7593, 0));
        Assert.Equal("{si_signo=SIGUSR1, si_code=SI_USER, si_pid=7593, si_uid=0}", sb.ToString());
        sb.Clear();
        UserEmu.Syscalls.Strace.Decoders.SignalDecoders.SigInfo(sb, new Engine.GuestSignalInfo(11, 0x80, 0));
        Assert.Equal("{si_signo=SIGSEGV, si_code=SI_KERNEL, si_addr=NULL}", sb.ToString());
    }
}
