using System.Text;
using UserEmu.Engine;
using UserEmu.Syscalls;
using UserEmu.Syscalls.Strace;
using UserEmu.Syscalls.Strace.Decoders;
using UserEmu.Syscalls.Table;
using UserEmu.Tests.Syscalls;

namespace UserEmu.Tests.Strace;

/// <summary>A syscall fixture whose bridge is traced into a temporary file, for comparing lines with strace's text.</summary>
public sealed class StraceCapture : IDisposable
{
    readonly string _file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"useremu-strace-{Guid.NewGuid():N}.txt");

    public SyscallFixture Guest { get; }
    /// <summary>The trace file.</summary>
    public string Path => _file;
    public StraceFormatter Formatter { get; }

    public StraceCapture(StraceOptions? options = null)
    {
        Guest = new SyscallFixture(new EmulatorOptions { QuietUnimplemented = true });
        Formatter = new StraceFormatter(options ?? new StraceOptions(), X86_64SyscallBridge.Table, StraceOutput.OpenFile(_file));
        Formatter.Attach(Guest.Process);
        Guest.Bridge.Tracer = Formatter;
    }

    public string[] Lines() => File.ReadAllText(_file).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The last line with strace's padding before " = " collapsed.</summary>
    public string Last() => Collapse(Lines()[^1]);

    /// <summary>Collapses strace's alignment spaces before " = ".</summary>
    public static string Collapse(string line) => System.Text.RegularExpressions.Regex.Replace(line, @"^(.*\)) +(= .*)$", "$1 $2");

    public void Dispose()
    {
        Guest.Dispose();
        File.Delete(_file);
    }

    /// <summary>One call formatted from raw values, as the formatter prints it: name(args) = ret.</summary>
    public static string Format(TraceCall call)
    {
        var sb = new StringBuilder();
        sb.Append(call.Name).Append('(');
        bool any = false;
        for (int i = 0; i < call.Entry!.Args.Length; i++)
        {
            if (!ArgDecoder.IsShown(call, i)) continue;
            if (any) sb.Append(", ");
            ArgDecoder.Append(sb, call, i);
            any = true;
        }
        sb.Append(") = ");
        StraceReturn.Append(sb, call);
        return sb.ToString();
    }
}
