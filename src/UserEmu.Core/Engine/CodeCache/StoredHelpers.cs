using UserEmu.IR;

namespace UserEmu.Engine.CodeCache;

/// <summary>The helper ids in a block's packed IR, as this process numbers them (<see cref="HelperTable"/>) and as the code cache file does (<see cref="HelperCatalog"/> number + 1).</summary>
static unsafe class StoredHelpers
{
    /// <summary>
    /// <paramref name="packedCode"/> (a prepared block's: <paramref name="constantCount"/> constants, then the ops) with
    /// its helpers as the file numbers them: itself where it calls none, null where one has no catalog number.
    /// </summary>
    public static byte[]? ToFile(byte[] packedCode, int constantCount)
    {
        int length = Map(packedCode, constantCount, &FileNumber, out bool calls);
        return length < 0 ? null : calls ? t_buffer.AsSpan(0, length).ToArray() : packedCode;
    }

    /// <summary>The stored <paramref name="packedCode"/> with its helpers as this process numbers them (registered if new), in this thread's buffer (valid until its next call here); false for a number the catalog lacks.</summary>
    public static bool TryFromFile(ReadOnlySpan<byte> packedCode, int constantCount, out ReadOnlySpan<byte> mapped)
    {
        int length = Map(packedCode, constantCount, &ProcessId, out _);
        mapped = length < 0 ? default : t_buffer.AsSpan(0, length);
        return length >= 0;
    }

    static int FileNumber(ushort id) => HelperCatalog.NumberOf(id) is >= 0 and var n && HelperCatalog.Storable(n) ? n + 1 : -1;

    static int ProcessId(ushort number) => number > 0 && HelperCatalog.IdOf(number - 1) is var id and > 0 ? id : -1;

    // The mapped code in t_buffer; its length, or -1.
    static int Map(ReadOnlySpan<byte> packedCode, int constantCount, delegate*<ushort, int> map, out bool calls)
    {
        calls = false;
        int constantBytes = constantCount * sizeof(ulong);
        if (constantBytes >= packedCode.Length) return -1;
        var ops = packedCode[constantBytes..];
        int most = constantBytes + ops.Length + 2 * PackedIr.Count(ops) + 8;
        if (t_buffer == null || t_buffer.Length < most) t_buffer = new byte[Math.Max(most, 4096)];
        int length = PackedIr.MapHelpers(ops, t_buffer.AsSpan(constantBytes), map, out calls);
        if (length < 0) return -1;
        packedCode[..constantBytes].CopyTo(t_buffer);
        return constantBytes + length;
    }

    // The mapped code of this thread's last call.
    [ThreadStatic] static byte[]? t_buffer;
}
