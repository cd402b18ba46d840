namespace UserEmu.Syscalls.Strace;

/// <summary>How syscalls are traced: output place and format, string size, filter and summary (the -strace* options).</summary>
public sealed class StraceOptions
{
    /// <summary>Print one line per call (-strace); false with -strace-summary alone, as strace -c.</summary>
    public bool Lines { get; set; } = true;
    /// <summary>-strace-file: where lines go (truncated at start; children append); null for stderr.</summary>
    public string? File { get; set; }
    /// <summary>-strace-strsize (strace -s).</summary>
    public int StringLimit { get; set; } = StraceText.DefaultStringLimit;
    /// <summary>-strace=SET, null for every call.</summary>
    public string? Filter { get; set; }
    /// <summary>-strace-summary (strace -c): the table of counts and times at exit.</summary>
    public bool Summary { get; set; }
    /// <summary>-strace-format json: one JSON object per line instead of strace's text.</summary>
    public bool Json { get; set; }
}
