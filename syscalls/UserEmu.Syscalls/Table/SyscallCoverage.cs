using System.Text;

namespace UserEmu.Syscalls.Table;

/// <summary>Renders a syscall table as the coverage page in docs/syscalls.md, so the page is generated from the code it describes.</summary>
public static class SyscallCoverage
{
    public static string Markdown(SyscallTable table)
    {
        var entries = table.Entries.ToList();
        int done = entries.Count(e => e.Handler != null);
        var sb = new StringBuilder();
        sb.Append($"# Syscall coverage ({table.Abi})\n\n");
        sb.Append("Generated from the syscall table (`syscalls/UserEmu.Syscalls/Abi/`) by `SyscallCoverageTests`; ");
        sb.Append("run the tests with `USEREMU_UPDATE_DOCS=1` to refresh it after changing the table.\n\n");
        sb.Append($"{done} of {entries.Count} syscalls are implemented. The others return `-ENOSYS` and print one warning line ");
        sb.Append("(`useremu: unsupported syscall N (name)`) the first time the guest calls them.\n\n");
        sb.Append("| nr | name | strace class | status |\n|---:|---|---|---|\n");
        foreach (var e in entries)
            sb.Append($"| {e.Number} | `{e.Name}` | {ClassText(e.Class)} | {(e.Handler != null ? "implemented" : "**ENOSYS**")} |\n");
        return sb.ToString();
    }

    static string ClassText(TraceClass c)
    {
        var names = Enum.GetValues<TraceClass>()
            .Where(f => System.Numerics.BitOperations.IsPow2((uint)f) && (c & f) != 0)
            .Select(f => "%" + f.ToString().ToLowerInvariant());
        return string.Join(" ", names);
    }
}
