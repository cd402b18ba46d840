namespace UserEmu.Cli.CommandLine;

/// <summary>A command-line mistake; reported as one line on stderr with exit status 1.</summary>
public sealed class UsageException(string message) : Exception(message);
