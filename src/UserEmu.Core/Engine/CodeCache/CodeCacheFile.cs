using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using UserEmu.Host;

namespace UserEmu.Engine.CodeCache;

/// <summary>The layout of a persistent code cache file: a header naming what the blocks were translated by and for, the records, their index by guest PC, and a footer.</summary>
/// <remarks>
/// <c>magic, key length, key (UTF-8) | records (CodeCacheRecord + packed IR, or + a native code image under the PC with
/// bit 63 set), in the order they were first made
/// | index: (pc, offset) pairs sorted by pc | footer: index offset, record count, magic</c>. The key
/// (<see cref="Key"/>) also names the file; a file whose key differs is ignored.
/// </remarks>
static class CodeCacheFile
{
    public const ulong Magic = 0x3143_4254_5545_0001; // "\x01\0EUTBC1"
    /// <summary>The footer's last word.</summary>
    public const uint FooterMagic = unchecked((uint)Magic);
    public const int FooterSize = 16;
    /// <summary>Bumped whenever the record layout or the IR encoding changes.</summary>
    public const int FormatVersion = 3;

    /// <summary>
    /// What a block's translation depends on besides its guest pages: the engine build (its files' sizes and times),
    /// the program (whose address layout decides which PCs recur), the CPU model's features and the superblock length.
    /// </summary>
    public static string Key(string program, EmulatorOptions options, UserEmu.Cpu.X86.CpuModel model)
    {
        var key = new StringBuilder();
        key.Append("useremu-code-cache ").Append(FormatVersion);
        foreach (var engineFile in EngineFiles()) key.Append('|').Append(Describe(engineFile));
        key.Append('|').Append(Describe(Path.GetFullPath(program)));
        key.Append("|cpu ").Append(model.Name).Append(':').Append(string.Join(' ', model.Flags()));
        key.Append("|side-exits ").Append(options.SideExits);
        // Native code records hold code for this host's instruction set.
        key.Append("|host");
        if (HostCpuFeatures.Avx2) key.Append(" avx2");
        if (HostCpuFeatures.Popcnt) key.Append(" popcnt");
        if (HostCpuFeatures.LahfSahf) key.Append(" lahf");
        return key.ToString();
    }

    /// <summary>The cache file for <paramref name="key"/> in <paramref name="directory"/>.</summary>
    public static string PathFor(string directory, string key) =>
        Path.Combine(directory, $"{XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key)):x16}.tbc");

    // The engine's executable and, in a JIT build, the assembly holding the translator and the IR.
    static IEnumerable<string> EngineFiles()
    {
        if (Environment.ProcessPath is { } exe) yield return exe;
        string core = Path.Combine(AppContext.BaseDirectory, "UserEmu.Core.dll");
        if (File.Exists(core)) yield return core;
    }

    static string Describe(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? $"{info.FullName} {info.Length} {info.LastWriteTimeUtc.Ticks}" : path;
    }

    public static byte[] Header(string key)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var header = new byte[12 + keyBytes.Length];
        BitConverter.TryWriteBytes(header, Magic);
        BitConverter.TryWriteBytes(header.AsSpan(8), keyBytes.Length);
        keyBytes.CopyTo(header, 12);
        return header;
    }

    public static byte[] Footer(long indexOffset, int count)
    {
        var footer = new byte[FooterSize];
        BitConverter.TryWriteBytes(footer, indexOffset);
        BitConverter.TryWriteBytes(footer.AsSpan(8), count);
        BitConverter.TryWriteBytes(footer.AsSpan(12), FooterMagic);
        return footer;
    }

    /// <summary>Reads a record header from <paramref name="bytes"/>.</summary>
    public static CodeCacheRecord ReadRecord(ReadOnlySpan<byte> bytes) => MemoryMarshal.Read<CodeCacheRecord>(bytes);

    public static void WriteRecord(Span<byte> bytes, in CodeCacheRecord record) => MemoryMarshal.Write(bytes, in record);
}
