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

    /// <summary>Appends a record; false where it is not taken (stopped, too big, or the journal cannot be written).</summary>
    public bool Add(in CodeCacheRecord record, ReadOnlySpan<byte> packed)
    {
        int size = CodeCacheRecord.Size + packed.Length;
        lock (_lock)
        {
            if (_stopped || size > BufferBytes) return false;
            if (_buffered + size > BufferBytes && !Flush()) return false;
            if (_buffered + size > _buffer.Length) Array.Resize(ref _buffer, Math.Min(BufferBytes, Math.Max(16 << 10, 2 * (_buffered + size))));
            CodeCacheFile.WriteRecord(_buffer.AsSpan(_buffered), record);
            packed.CopyTo(_buffer.AsSpan(_buffered + CodeCacheRecord.Size));
            _buffered += size;
            _pcs.Add(record.Pc);
            return true;
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
        var header = CodeCacheFile.Header(key);
        long oldEnd = Existing > 0 ? OldRecordsEnd(cachePath) : 0, journalEnd = new FileInfo(_journalPath!).Length;
        using var old = Existing > 0 ? new FileStream(cachePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16) : null;
        using var journal = new FileStream(_journalPath!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        // Native records are read out of order, without the streams' buffers (each seek had refilled 64 KiB).
        using var oldHandle = Existing > 0 ? File.OpenHandle(cachePath) : null;
        using var journalHandle = File.OpenHandle(_journalPath!);
        // Each block's native code record goes right after its IR record, where the run that loads the block reads
        // it through the same window (they were written apart: native code comes after a block gets warm). Their
        // places first: the journal's (-1 - offset) over the old file's.
        var natives = new Dictionary<ulong, long>();
        if (old != null) Scan(old, header.Length, oldEnd, record => !fresh.Contains(record.Pc), (pc, at) => natives[pc] = at);
        Scan(journal, 0, journalEnd, _ => true, (pc, at) => natives[pc] = -1 - at);
        using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            output.Write(header);
            var body = new byte[4096];
            // The old records first (but those translated again this run), then the new ones, each in its order.
            if (old != null) Scan(old, header.Length, oldEnd, record => !fresh.Contains(record.Pc) && !IsNative(record), (_, at) => CopyWithNative(old, at));
            Scan(journal, 0, journalEnd, record => !IsNative(record), (_, at) => CopyWithNative(journal, at));

            void CopyWithNative(FileStream input, long at)
            {
                ulong pc = CopyRecord(input, at, output, index, ref body);
                if (natives.Remove(pc | PersistentCodeCache.NativeKey, out long native))
                    CopyRecord(native < 0 ? journalHandle : oldHandle!, native < 0 ? -1 - native : native, output, index, ref body);
            }

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

    static bool IsNative(in CodeCacheRecord record) => (record.Pc & PersistentCodeCache.NativeKey) != 0;

    static long OldRecordsEnd(string path)
    {
        using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> footer = stackalloc byte[CodeCacheFile.FooterSize];
        input.Seek(-CodeCacheFile.FooterSize, SeekOrigin.End);
        input.ReadExactly(footer);
        return BitConverter.ToInt64(footer);
    }

    // Calls `found` with the PC and offset of each record in [start, end) of `input` that `take` accepts (a native
    // record's PC has NativeKey).
    static void Scan(FileStream input, long start, long end, Func<CodeCacheRecord, bool> take, Action<ulong, long> found)
    {
        var header = new byte[CodeCacheRecord.Size];
        for (long at = start; at + header.Length <= end;)
        {
            input.Position = at;
            input.ReadExactly(header);
            var record = CodeCacheFile.ReadRecord(header);
            if (record.PackedLength > 1 << 20) throw new InvalidDataException($"{input.Name}: a record of {record.PackedLength} bytes");
            if (take(record)) found(record.Pc, at);
            at += header.Length + record.PackedLength;
        }
    }

    // Copies the record at `at` in `input` to the end of `output`, noting where it went; its PC.
    static ulong CopyRecord(FileStream input, long at, FileStream output, List<(ulong, long)> index, ref byte[] body)
    {
        input.Position = at;
        int size = CodeCacheRecord.Size;
        if (body.Length < size) body = new byte[size];
        input.ReadExactly(body, 0, size);
        var record = CodeCacheFile.ReadRecord(body);
        size += (int)record.PackedLength;
        if (body.Length < size) Array.Resize(ref body, size);
        input.ReadExactly(body, CodeCacheRecord.Size, (int)record.PackedLength);
        index.Add((record.Pc, output.Position));
        output.Write(body, 0, size);
        return record.Pc;
    }

    // The same from a file read at offsets: one read for most records (a header and up to 4 KiB).
    static void CopyRecord(Microsoft.Win32.SafeHandles.SafeFileHandle input, long at, FileStream output, List<(ulong, long)> index, ref byte[] body)
    {
        int got = RandomAccess.Read(input, body, at);
        if (got < CodeCacheRecord.Size) throw new EndOfStreamException();
        var record = CodeCacheFile.ReadRecord(body);
        int size = CodeCacheRecord.Size + (int)record.PackedLength;
        if (body.Length < size) Array.Resize(ref body, size);
        if (got < size && RandomAccess.Read(input, body.AsSpan(got, size - got), at + got) != size - got) throw new EndOfStreamException();
        index.Add((record.Pc, output.Position));
        output.Write(body, 0, size);
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
