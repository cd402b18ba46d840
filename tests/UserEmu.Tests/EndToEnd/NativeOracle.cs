using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.EndToEnd;

/// <summary>The x86-64 host is the oracle: a program must print the same and exit the same under the emulator as natively.</summary>
public static class NativeOracle
{
    /// <summary>Runs <paramref name="exe"/> natively and under useremu and asserts equal stdout, stderr and exit status.</summary>
    public static CommandResult AssertSameAsNative(string exe, string[] args, string? stdin = null,
        IReadOnlyDictionary<string, string>? env = null, string? workDir = null, Func<string, string>? normalize = null,
        int timeoutMs = 60_000)
    {
        normalize ??= s => s;
        var native = HostCommand.Run(exe, args, stdin, timeoutMs, env, workDir);
        Assert.False(native.TimedOut, $"native run of {exe} timed out");
        var emulated = HostCommand.RunEmulated(exe, args, stdin, timeoutMs, env: env, workDir: workDir);
        string context = $"{Path.GetFileName(exe)} {string.Join(' ', args)}\n=== native: {native}\n=== useremu: {emulated}";
        Assert.False(emulated.TimedOut, "useremu timed out: " + context);
        Assert.True(native.ExitStatus == emulated.ExitStatus, "exit status differs: " + context);
        Assert.True(normalize(native.Stdout) == normalize(emulated.Stdout), "stdout differs: " + context);
        Assert.True(normalize(native.Stderr) == normalize(emulated.Stderr), "stderr differs: " + context);
        return emulated;
    }
}
