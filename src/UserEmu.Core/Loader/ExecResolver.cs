using System.Text;

namespace UserEmu.Loader;

/// <summary>What execve runs for a file: the ELF program itself and the argv it starts with.</summary>
/// <param name="Program">Host path of the ELF file to load (the script's interpreter for a #! file).</param>
/// <param name="Argv">The argument vector after the kernel's #! rewriting.</param>
public sealed record ExecPlan(string Program, string[] Argv);

/// <summary>The kernel's checks before an execve commits: permissions, binary format, #! scripts (binfmt_script), the ELF interpreter.</summary>
/// <remarks>
/// Everything that makes a native execve fail must be found here, before the emulator replaces itself: once the host
/// exec has happened there is no caller left to return ENOEXEC or ENOENT to.
/// </remarks>
public static class ExecResolver
{
    /// <summary>BINPRM_BUF_SIZE: how much of a file the kernel looks at to pick its format.</summary>
    const int HeaderBytes = 256;
    /// <summary>An interpreter may itself be a script, up to this depth (then ELOOP).</summary>
    const int MaxDepth = 5;

    /// <summary>Resolves the file at <paramref name="hostPath"/> (named <paramref name="filename"/> in the guest's execve).</summary>
    /// <exception cref="ExecFormatException">With the errno execve returns.</exception>
    public static ExecPlan Resolve(string hostPath, string filename, string[] argv, string sysRoot, ulong addressLimit)
    {
        for (int depth = 0; depth < MaxDepth; depth++)
        {
            byte[] head;
            using (var file = ExecutableFile.Open(hostPath, requireExecutable: true))
            {
                head = new byte[(int)Math.Min(file.Size, HeaderBytes)];
                file.ReadExactly(0, head);
                if (head.AsSpan().StartsWith("\u007fELF"u8))
                {
                    CheckElf(file, sysRoot, addressLimit);
                    return new ExecPlan(hostPath, argv);
                }
            }
            if (!head.AsSpan().StartsWith("#!"u8)) throw new ExecFormatException("not an ELF executable or #! script", ExecFormatException.ExitCannotExecute, LinuxErrno.ENOEXEC);
            var (name, arg) = ParseShebang(head);
            // The script's argv[0] is replaced by: interpreter, its optional argument, the script's name.
            var rewritten = new List<string> { name };
            if (arg != null) rewritten.Add(arg);
            rewritten.Add(filename);
            rewritten.AddRange(argv.Skip(1));
            argv = rewritten.ToArray();
            filename = name;
            hostPath = SysRoot.Resolve(sysRoot, name) ?? throw ExecFormatException.InterpreterNotFound("#! interpreter", name, sysRoot);
        }
        throw new ExecFormatException("too many levels of #! interpreters (a loop?)", ExecFormatException.ExitCannotExecute, LinuxErrno.ELOOP);
    }

    /// <summary>binfmt_script's reading of the #! line: interpreter up to the first blank, then one optional argument (the rest, trimmed).</summary>
    public static (string Name, string? Arg) ParseShebang(ReadOnlySpan<byte> head)
    {
        var line = head[2..];
        int nl = line.IndexOf((byte)'\n');
        bool truncated = nl < 0;
        if (!truncated) line = line[..nl];
        int nul = line.IndexOf((byte)0);
        if (nul >= 0) line = line[..nul];
        line = line.TrimStart(" \t"u8).TrimEnd(" \t"u8);
        if (line.IsEmpty) throw NoExec();
        int blank = line.IndexOfAny(" \t"u8);
        // A line cut by the buffer end must at least hold the whole interpreter name.
        if (blank < 0 && truncated && head.Length >= HeaderBytes) throw NoExec();
        var name = blank < 0 ? line : line[..blank];
        var rest = blank < 0 ? ReadOnlySpan<byte>.Empty : line[blank..].TrimStart(" \t"u8);
        return (Encoding.UTF8.GetString(name), rest.IsEmpty ? null : Encoding.UTF8.GetString(rest));
    }

    static ExecFormatException NoExec() => new("#! line names no interpreter", ExecFormatException.ExitCannotExecute, LinuxErrno.ENOEXEC);

    /// <summary>Validates an ELF program (and finds and validates its interpreter) without mapping anything.</summary>
    static void CheckElf(ExecutableFile file, string sysRoot, ulong addressLimit)
    {
        var layout = ElfLayout.Analyze(ElfHeaders.Read(file), file, isInterpreter: false, addressLimit);
        if (layout.Interpreter == null) return;
        string interpPath = SysRoot.Resolve(sysRoot, layout.Interpreter)
            ?? throw ExecFormatException.InterpreterNotFound("interpreter", layout.Interpreter, sysRoot);
        using var interp = ExecutableFile.Open(interpPath, requireExecutable: false);
        ElfLayout.Analyze(ElfHeaders.Read(interp), interp, isInterpreter: true, addressLimit);
    }
}
