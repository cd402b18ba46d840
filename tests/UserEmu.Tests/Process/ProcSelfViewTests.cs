using UserEmu.Tests.EndToEnd;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.ProcessModel;

/// <summary>The guest's view of itself in /proc: its own descriptors only, and /proc/&lt;own pid&gt; the same as /proc/self.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class ProcSelfViewTests
{
    /// <summary>The emulator's descriptors are not listed, have no /proc path, and give EBADF to fcntl, fstat, read, *at and mmap.</summary>
    [Fact]
    public void ProcSelfFdListsOnlyTheGuestsDescriptors()
    {
        string exe = GuestProgram.Build("Process/Programs/proc_fd_view.c", "-O2", "-w");
        var r = NativeOracle.AssertSameAsNative(exe, []);
        Assert.Contains("self/fd: 0 1 2 3 4 5 6\n", r.Stdout);
    }

    /// <summary>
    /// Descriptors a host shell passes to the first emulator (/dev/null, a pipe) reach the guest under their numbers,
    /// and its own files get the lowest free ones, whichever of the build's two commands starts it (in a NativeAOT build
    /// both are the engine, which reserves the numbers in process; in a JIT build, the launcher and the engine's
    /// restart).
    /// </summary>
    [Theory]
    [InlineData("useremu")]
    [InlineData("useremu-engine")]
    public void InheritedDescriptorsReachTheGuest(string command)
    {
        const string script = "exec 5</dev/null 6< <(echo through the pipe); \"$@\" /bin/ls /proc/self/fd; \"$@\" /bin/cat - /dev/fd/5 <&6";
        var native = HostCommand.Run("/bin/bash", ["-c", script, "bash"]);
        var emulated = HostCommand.Run("/bin/bash", ["-c", script, "bash", Path.Combine(AppContext.BaseDirectory, command)]);
        Assert.Contains("5\n6\n", native.Stdout);
        Assert.Equal(native.ToString(), emulated.ToString());
    }

    /// <summary>
    /// The descriptors of strace's output (a private copy of stderr, or the -strace-file) are the emulator's: the guest
    /// does not list them, and its files get the numbers they get natively.
    /// </summary>
    [Theory]
    [InlineData("-strace")]
    [InlineData("-strace-file")]
    public void TraceOutputIsNotAGuestDescriptor(string option)
    {
        string trace = Path.Combine(Path.GetTempPath(), $"useremu-trace-{Environment.ProcessId}-{option}.txt");
        string[] traceArgs = option == "-strace" ? ["-strace"] : ["-strace-file", trace];
        var native = HostCommand.Run("/bin/ls", ["/proc/self/fd"]);
        var emulated = HostCommand.Run(HostCommand.Emulator, [.. traceArgs, "/bin/ls", "/proc/self/fd"]);
        string traced = option == "-strace" ? emulated.Stderr : File.ReadAllText(trace);
        File.Delete(trace);
        Assert.Equal(native.Stdout, emulated.Stdout);
        Assert.Contains("+++ exited with 0 +++", traced);
    }

    /// <summary>A guest that dup2s over every number above its own range does not take the emulator's stderr: the emulator's warning still reaches it.</summary>
    [Fact]
    public void EmulatorStderrSurvivesGuestDup2OverItsNumber()
    {
        string exe = GuestProgram.Build("Process/Programs/dup2_over_emulator_fds.c", "-O2", "-w");
        var r = HostCommand.RunEmulated(exe, []);
        Assert.Equal("kexec_load failed\n", r.Stdout);
        Assert.Contains("unsupported syscall 246 (kexec_load)", r.Stderr);
    }

    /// <summary>
    /// Arguments and environment strings that are not UTF-8 (a Latin-1 file name) reach the guest byte for byte, also
    /// through a guest execve, as they do natively; the runtime's own argument strings would have replaced those bytes.
    /// </summary>
    [Theory]
    [InlineData("useremu")]
    [InlineData("useremu-engine")]
    public void ArgumentsAndEnvironmentThatAreNotUtf8ReachTheGuestByteForByte(string command)
    {
        const string script = "X=$'v\\xfe' \"$@\" /bin/sh -c 'exec /usr/bin/printenv X' | od -An -tx1; " +
            "\"$@\" /bin/echo $'a\\xffb\\xc3\\xa9' | od -An -tx1; \"$@\" /bin/sh -c 'exec /bin/echo \"$0\"' $'q\\xfer' | od -An -tx1";
        var native = HostCommand.Run("/bin/bash", ["-c", script, "bash"]);
        var emulated = HostCommand.Run("/bin/bash", ["-c", script, "bash", Path.Combine(AppContext.BaseDirectory, command)]);
        Assert.Contains("61 ff 62 c3 a9 0a", native.Stdout);
        Assert.Equal(native.ToString(), emulated.ToString());
    }

    /// <summary>/proc/&lt;getpid()&gt;/exe, cmdline and the rest name the guest program, as /proc/self does.</summary>
    [Fact]
    public void ProcPidIsProcSelf()
    {
        string exe = GuestProgram.Build("Process/Programs/proc_self_view.c", "-O2", "-w");
        var r = NativeOracle.AssertSameAsNative(exe, ["first arg", "", "x"]);
        Assert.Contains($"readlink /proc/<pid>/exe: {exe} (same as self)", r.Stdout);
        Assert.Contains($"/proc/<pid>/cmdline: {exe}|first arg||x|", r.Stdout);
        Assert.DoesNotContain("DIFFERENT", r.Stdout);
    }
}
