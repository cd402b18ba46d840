namespace UserEmu.Loader;

/// <summary>The program (or its interpreter) cannot be run; the message is one line for "useremu: prog: message".</summary>
public sealed class ExecFormatException : Exception
{
    /// <summary>Shell convention: 126 when the file exists but cannot be executed.</summary>
    public const int ExitCannotExecute = 126;
    /// <summary>Shell convention: 127 when the file does not exist.</summary>
    public const int ExitNotFound = 127;

    /// <summary>Exit status the CLI should use (126 or 127).</summary>
    public int ExitCode { get; }

    /// <summary>The errno execve(2) would return for this failure (ENOEXEC, ENOENT, EACCES, E2BIG, ENOMEM...).</summary>
    public int Errno { get; }

    /// <param name="errno">Defaults to ENOENT for exit code 127 and ENOEXEC otherwise.</param>
    public ExecFormatException(string message, int exitCode = ExitCannotExecute, int? errno = null, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
        Errno = errno ?? (exitCode == ExitNotFound ? LinuxErrno.ENOENT : LinuxErrno.ENOEXEC);
    }

    internal static ExecFormatException NotFound() =>
        new("no such file or directory", ExitNotFound, LinuxErrno.ENOENT);

    /// <summary>A PT_INTERP or #! interpreter that is neither under the sysroot nor on the host: ENOENT, as execve reports it.</summary>
    internal static ExecFormatException InterpreterNotFound(string what, string path, string sysRoot) =>
        new($"{what} {path} not found under sysroot {sysRoot}", ExitNotFound, LinuxErrno.ENOENT);

    internal static ExecFormatException PermissionDenied() =>
        new("permission denied", ExitCannotExecute, LinuxErrno.EACCES);
}

/// <summary>Linux errno numbers that exec failures report.</summary>
public static class LinuxErrno
{
    public const int ENOENT = 2, EIO = 5, E2BIG = 7, ENOEXEC = 8, ENOMEM = 12, EACCES = 13, EEXIST = 17,
        ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENAMETOOLONG = 36, ELOOP = 40, ELIBBAD = 80;
}
