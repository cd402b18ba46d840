namespace UserEmu.Memory;

/// <summary>One contiguous guest mapping with uniform permissions, as /proc/self/maps would list it.</summary>
public sealed class GuestMapping
{
    public ulong Start;
    public ulong End;
    /// <summary>Guest permissions (Read/Write/Exec bits only).</summary>
    public PageFlags Prot;
    public bool Shared;
    /// <summary>Backing file path, or a pseudo name such as [heap] or [stack]; null for anonymous memory.</summary>
    public string? Name;
    public ulong FileOffset;
    public ulong Device;
    public ulong Inode;
    /// <summary>The mapped file's size when it was mapped (-1: anonymous, or not a regular file): pages past it raise SIGBUS.</summary>
    public long FileSize = -1;
    /// <summary>Size of the System V shared memory segment attached here by shmat (0 for every other mapping); shmdt detaches up to this much.</summary>
    public ulong ShmSegmentSize;

    public ulong Length => End - Start;

    public GuestMapping Clone() => (GuestMapping)MemberwiseClone();

    /// <summary>The part of this mapping in [start, end), with the file offset adjusted.</summary>
    public GuestMapping Slice(ulong start, ulong end)
    {
        var m = Clone();
        if ((Name != null && Inode != 0) || ShmSegmentSize != 0) m.FileOffset = FileOffset + (start - Start);
        m.Start = start;
        m.End = end;
        return m;
    }

    public override string ToString() => $"{Start:x}-{End:x} {Prot} {Name}";
}
