using System.Text;
using UserEmu.Host;

namespace UserEmu.Engine.CodeCache;

/// <summary>The blocks a run translated that its code cache file lacks: appended to a file of the process's own as they come, merged into the cache file at exit.</summary>
/// <remarks>
/// On disk rather than in memory: a first run of cc1 translates ~30 MB worth of records, which would have counted in
/// its peak RSS. The merge streams the old file and the journal into a new file renamed over the old one, so runs of
/// the same program at once each see a whole file (the last to finish wins). It is skipped when the run added little,
/// so that a warm run does not rewrite tens of megabytes for a few blocks. Files beyond <see cref="DirectoryLimitBytes"/>
/// in the directory are removed, least recently written first.
/// </remarks>
sealed unsafe class CodeCacheJournal(string directory, string cachePath, string key)
{
    const long SysOpen = 2;
    const int O_WRONLY = 1, O_CREAT = 0x40, O_TRUNC = 0x200, O_APPEND = 0x400, O_CLOEXEC = 0x80000, BufferBytes = 256 << 10;
    /// <summary>The most the cache directory may hold.</summary>
    public const long DirectoryLimitBytes = 512L << 20;

    readonly Lock _lock = new();
    // Grown as records come: a warm run adds few.
    byte[] _buffer = [];
    int _buffered;
    EmulatorDescriptor? _file;
    string? _journalPath;
    // getpid, not Environment.ProcessId, which the runtime caches: a forked child must not take its parent's journal.
    readonly int _owner = LibC.getpid();
    volatile bool _stopped;
    readonly List<ulong> _pcs = new();

    /// <summary>No more records are taken (a forked child's, or after the merge).</summary>
    public bool Stopped => _stopped;

    /// <summary>Records the cache file had when this run opened it.</summary>
    public int Existing;

    public void Add(in CodeCacheRecord record, byte[] packed)
    {
        int size = CodeCacheRecord.Size + packed.Length;
        lock (_lock)
        {
            if (_stopped || size > BufferBytes) return;
            if (_buffered + size > BufferBytes && !Flush()) return;
            if (_buffered + size > _buffer.Length) Array.Resize(ref _buffer, Math.Min(BufferBytes, Math.Max(16 << 10, 2 * (_buffered + size))));
            CodeCacheFile.WriteRecord(_buffer.AsSpan(_buffered), record);
            packed.CopyTo(_buffer, _buffered + CodeCacheRecord.Size);
            _buffered += size;
            _pcs.Add(record.Pc);
        }
    }

    public void Stop()
    {
        lock (_lock)
        {
            _stopped = true;
            _file = null;
        }
    }

    /// <summary>Drops the journal without merging it (the process that started it dies).</summary>
    public void Discard()
    {
        lock (_lock)
        {
            if (_stopped || _owner != LibC.getpid()) return;
            _stopped = true;
            try
            {
                if (_journalPath != null) File.Delete(_journalPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    bool Flush()
    {
        if (_buffered == 0) return true;
        if (_file == null)
        {
            try
            {
                Directory.CreateDirectory(directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A directory that cannot be made (a read-only home): this run keeps nothing.
                _stopped = true;
                return false;
            }
            _journalPath = $"{cachePath}.{_owner}.journal";
            var name = Encoding.UTF8.GetBytes(_journalPath + "\0");
            long fd;
            fixed (byte* p = name) fd = LibC.syscall(SysOpen, (long)p, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0x180 /* 0600 */, 0, 0, 0);
            if (fd < 0)
            {
                _stopped = true;
                return false;
            }
            _file = EmulatorDescriptor.Adopt((int)fd);
        }
        _file.WriteAll(_buffer.AsSpan(0, _buffered));
        _buffered = 0;
        return true;
    }

    /// <summary>Merges the journal into the cache file (in the process that started it, when it added enough).</summary>
    public void Commit()
    {
        lock (_lock)
        {
            if (_stopped || _owner != LibC.getpid()) return;
            _stopped = true;
            try
            {
                // A run that added under 1/64 of a big file leaves it be (and retranslates those blocks next time).
                if (_pcs.Count > 0 && _pcs.Count >= Math.Min(Existing / 64 + 1, 4096) && Flush())
                {
                    Merge();
                    RemoveOldest();
                }
            }
            catch (Exception)
            {
                // The cache is an optimisation: whatever went wrong in it (a full disk, a damaged old file), the guest's
                // run has ended as it should, and the next run translates what it lacks.
            }
            finally
            {
                try
                {
                    if (_journalPath != null) File.Delete(_journalPath);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
    }

    void Merge()
    {
        string temporary = $"{cachePath}.{_owner}.tmp";
        var fresh = new HashSet<ulong>(_pcs);
        var index = new List<(ulong Pc, long Offset)>(Existing + _pcs.Count);
        using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            var header = CodeCacheFile.Header(key);
            output.Write(header);
            // The old records first (but those translated again this run), then the new ones, each in its order.
            if (Existing > 0) Copy(cachePath, header.Length, OldRecordsEnd(cachePath), output, index, pc => !fresh.Contains(pc));
            Copy(_journalPath!, 0, new FileInfo(_journalPath!).Length, output, index, _ => true);
            long indexOffset = output.Position;
            index.Sort((a, b) => a.Pc.CompareTo(b.Pc));
            Span<byte> pair = stackalloc byte[16];
            ulong last = ulong.MaxValue;
            int count = 0;
            foreach (var (pc, offset) in index)
            {
                if (pc == last) continue;
                last = pc;
                BitConverter.TryWriteBytes(pair, pc);
                BitConverter.TryWriteBytes(pair[8..], offset);
                output.Write(pair);
                count++;
            }
            output.Write(CodeCacheFile.Footer(indexOffset, count));
        }
        File.Move(temporary, cachePath, overwrite: true);
    }

    static long OldRecordsEnd(string path)
    {
        using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> footer = stackalloc byte[CodeCacheFile.FooterSize];
        input.Seek(-CodeCacheFile.FooterSize, SeekOrigin.End);
        input.ReadExactly(footer);
        return BitConverter.ToInt64(footer);
    }

    // Streams the records in [start, end) of `path` to `output`, those `keep` accepts, noting where each went.
    static void Copy(string path, long start, long end, FileStream output, List<(ulong, long)> index, Func<ulong, bool> keep)
    {
        using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        input.Position = start;
        var header = new byte[CodeCacheRecord.Size];
        var body = new byte[4096];
        while (input.Position + header.Length <= end)
        {
            input.ReadExactly(header);
            var record = CodeCacheFile.ReadRecord(header);
            if (record.PackedLength > 1 << 20) throw new InvalidDataException($"{path}: a record of {record.PackedLength} bytes");
            if (record.PackedLength > body.Length) Array.Resize(ref body, (int)record.PackedLength);
            input.ReadExactly(body, 0, (int)record.PackedLength);
            if (!keep(record.Pc)) continue;
            index.Add((record.Pc, output.Position));
            output.Write(header);
            output.Write(body, 0, (int)record.PackedLength);
        }
    }

    // Keeps the directory under its limit: the files least recently written go first (not the one just merged). Journals
    // and merges of processes killed meanwhile (SIGKILL, a timeout) are left behind: gone after an hour.
    void RemoveOldest()
    {
        var info = new DirectoryInfo(directory);
        foreach (var stale in info.GetFiles("*.journal").Concat(info.GetFiles("*.tmp")))
            if (stale.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-1)) stale.Delete();
        var files = info.GetFiles("*.tbc").OrderBy(f => f.LastWriteTimeUtc).ToList();
        long total = files.Sum(f => f.Length);
        foreach (var f in files)
        {
            if (total <= DirectoryLimitBytes) break;
            if (f.FullName == Path.GetFullPath(cachePath)) continue;
            total -= f.Length;
            f.Delete();
        }
    }
}
