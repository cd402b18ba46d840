namespace UserEmu.Bench;

/// <summary>One benchmark: a table name, what it stresses, and how to get its command line ready on this host.</summary>
sealed record Workload(string Name, string What, Func<WorkloadContext, PreparedWorkload> Prepare);

/// <summary>A workload ready to run (argv[0] a full path), or the reason it cannot run here.</summary>
/// <param name="OutputFile">A file the workload writes besides stdout; it is deleted before each run and hashed with stdout.</param>
/// <param name="Skipped">Set when a tool is missing: the row says "skipped" with this reason.</param>
/// <param name="BuildError">Set when preparing failed (gcc error): the row says FAIL.</param>
sealed record PreparedWorkload(string[] Argv, string? OutputFile = null, string? Skipped = null, string? BuildError = null)
{
    public static PreparedWorkload Skip(string reason) => new([], Skipped: reason);
    public static PreparedWorkload Failed(string error) => new([], BuildError: error);
}
