using UserEmu.Tests.EndToEnd;
using UserEmu.Tests.TestSupport;
using Xunit;
using static UserEmu.Tests.ProcessModel.GuestProgramBuilder;

namespace UserEmu.Tests.ProcessModel;

/// <summary>fork, exec, wait, pipes, signals and process groups: each program's output and status under the emulator match a native run.</summary>
[Collection(nameof(ProcessModelTests))]
public sealed class ProcessModelTests
{
    static string EchoArgs => Build("echoargs", ProcessPrograms.EchoArgs);

    /// <summary>The program's output and status under the emulator match a native run (in the programs' directory).</summary>
    static void SameAsNative(string program, params string[] args) => NativeOracle.AssertSameAsNative(program, args, workDir: Dir);

    [Fact]
    public void ForkAndWaitReportExitCodes() => SameAsNative(Build("fork_wait", ProcessPrograms.ForkWait));

    [Fact]
    public void ExecOfGuestBinariesScriptsAndErrors()
    {
        string echo = EchoArgs;
        string noexec = WriteFile("noexec", "just text\n", (UnixFileMode)0x1ED);
        string script = WriteFile("script.sh", $"#!{echo}  -a  b \nbody\n", (UnixFileMode)0x1ED);
        string nested = WriteFile("nested.sh", $"#! {script}\n", (UnixFileMode)0x1ED);
        SameAsNative(Build("exec_paths", ProcessPrograms.ExecPaths), echo, noexec, script, nested);
    }

    [Fact]
    public void PipeFromChildAndCloseOnExec() => SameAsNative(Build("pipes", ProcessPrograms.Pipes), EchoArgs);

    [Fact]
    public void SignalDeathsOfChildrenAreReported() => SameAsNative(Build("signals", ProcessPrograms.SignalDeaths), EchoArgs);

    [Fact]
    public void ProcessGroupsSessionsAndPrctl() => SameAsNative(Build("groups", ProcessPrograms.Groups));

    [Fact]
    public void ManyForksWhileRunning() => SameAsNative(Build("fork_stress", ProcessPrograms.ForkStress));

    [Fact]
    public void DescriptorNumbersMatchNative() => SameAsNative(Build("fd_numbers", ProcessPrograms.DescriptorNumbers));

    [Fact]
    public void ScriptRunDirectlyIsEmulated()
    {
        // The emulator's command line takes ELF programs; a guest's execve of a script runs the interpreter emulated.
        string script = WriteFile("direct.sh", $"#!{EchoArgs} one\n", (UnixFileMode)0x1ED);
        var r = HostCommand.Run(script, ["x"], workDir: Dir);
        Assert.Equal($"echoargs: [{EchoArgs}] [one] [{script}] [x]\n", r.Stdout);
    }
}
