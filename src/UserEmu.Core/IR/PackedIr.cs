namespace UserEmu.IR;

/// <summary>A byte encoding of IR ops for blocks that run as native code, whose IR is read only when an op is handed back.</summary>
/// <remarks>
/// An op is its <see cref="IrOp"/> byte, a byte saying which of its other fields are not zero, then those fields:
/// Size and Aux as bytes, the temps and helper as LEB128, Imm zigzag LEB128. cc1's 2.2M retained ops took 24 bytes
/// each as <see cref="IrInstr"/>s, most of its managed heap, for code that has mostly left the interpreter.
/// </remarks>
public static unsafe class PackedIr
{
    const int SizeBit = 1, AuxBit = 2, DstBit = 4, ABit = 8, BBit = 16, CBit = 32, HelperBit = 64, ImmBit = 128;

    /// <summary><paramref name="prefix"/>, then the encoding of <paramref name="code"/>, led by its op count.</summary>
    public static byte[] Pack(ReadOnlySpan<IrInstr> code, ReadOnlySpan<byte> prefix = default) => PackInPlace(code, prefix).ToArray();

    /// <summary>What <see cref="Pack"/> returns, in this thread's buffer: valid until the thread packs again.</summary>
    public static ReadOnlySpan<byte> PackInPlace(ReadOnlySpan<IrInstr> code, ReadOnlySpan<byte> prefix = default)
    {
        var buffer = Buffer(prefix.Length + MostBytes(code.Length));
        prefix.CopyTo(buffer);
        int at = WriteCount(buffer, prefix.Length, code.Length);
        foreach (ref readonly var i in code) at = WriteOp(buffer, at, i);
        return buffer[..at];
    }

    /// <summary>This thread's packing buffer, at least <paramref name="bytes"/> long (<see cref="PackInPlace"/> returns a part of it).</summary>
    internal static Span<byte> Buffer(int bytes)
    {
        // A block's worth was garbage per big block translated.
        if (t_buffer == null || t_buffer.Length < bytes) t_buffer = new byte[Math.Max(bytes, 4096)];
        return t_buffer;
    }

    /// <summary>The most bytes <paramref name="ops"/> ops take packed, their count included: 3 + 5 * 3 + 10 an op.</summary>
    internal static int MostBytes(int ops) => ops * 28 + 5;

    /// <summary>Writes the op count that leads the ops at <paramref name="at"/>; returns where the first op goes.</summary>
    internal static int WriteCount(Span<byte> buffer, int at, int count) => WriteVarint(buffer, at, (ulong)count);

    /// <summary>Writes <paramref name="i"/> at <paramref name="at"/>; returns where the next op goes.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static int WriteOp(Span<byte> buffer, int at, in IrInstr i)
    {
        int mask = (i.Size != 0 ? SizeBit : 0) | (i.Aux != 0 ? AuxBit : 0) | (i.Dst != 0 ? DstBit : 0)
            | (i.A != 0 ? ABit : 0) | (i.B != 0 ? BBit : 0) | (i.C != 0 ? CBit : 0)
            | (i.Helper != 0 ? HelperBit : 0) | (i.Imm != 0 ? ImmBit : 0);
        buffer[at++] = (byte)i.Op;
        buffer[at++] = (byte)mask;
        if ((mask & SizeBit) != 0) buffer[at++] = i.Size;
        if ((mask & AuxBit) != 0) buffer[at++] = i.Aux;
        if ((mask & DstBit) != 0) at = WriteVarint(buffer, at, i.Dst);
        if ((mask & ABit) != 0) at = WriteVarint(buffer, at, i.A);
        if ((mask & BBit) != 0) at = WriteVarint(buffer, at, i.B);
        if ((mask & CBit) != 0) at = WriteVarint(buffer, at, i.C);
        if ((mask & HelperBit) != 0) at = WriteVarint(buffer, at, i.Helper);
        if ((mask & ImmBit) != 0) at = WriteVarint(buffer, at, (ulong)(i.Imm << 1 ^ i.Imm >> 63));
        return at;
    }

    [ThreadStatic] static byte[]? t_buffer;

    /// <summary>How many ops <paramref name="packed"/> holds.</summary>
    public static int Count(ReadOnlySpan<byte> packed)
    {
        int at = 0;
        return (int)ReadVarint(packed, ref at);
    }

    /// <summary>Decodes <paramref name="packed"/> into the start of <paramref name="code"/> (at least <see cref="Count"/> long).</summary>
    public static void Unpack(ReadOnlySpan<byte> packed, Span<IrInstr> code)
    {
        int at = 0;
        int count = (int)ReadVarint(packed, ref at);
        for (int k = 0; k < count; k++)
        {
            ref var i = ref code[k];
            i.Op = (IrOp)packed[at];
            int mask = packed[at + 1];
            at += 2;
            i.Size = (mask & SizeBit) != 0 ? packed[at++] : (byte)0;
            i.Aux = (mask & AuxBit) != 0 ? packed[at++] : (byte)0;
            i.Dst = (mask & DstBit) != 0 ? (ushort)ReadVarint(packed, ref at) : (ushort)0;
            i.A = (mask & ABit) != 0 ? (ushort)ReadVarint(packed, ref at) : (ushort)0;
            i.B = (mask & BBit) != 0 ? (ushort)ReadVarint(packed, ref at) : (ushort)0;
            i.C = (mask & CBit) != 0 ? (ushort)ReadVarint(packed, ref at) : (ushort)0;
            i.Helper = (mask & HelperBit) != 0 ? (ushort)ReadVarint(packed, ref at) : (ushort)0;
            ulong imm = (mask & ImmBit) != 0 ? ReadVarint(packed, ref at) : 0;
            i.Imm = (long)(imm >> 1) ^ -(long)(imm & 1);
        }
    }

    /// <summary>
    /// Copies the packed ops <paramref name="ops"/> into <paramref name="into"/> (at least <paramref name="ops"/>' length
    /// plus 2 bytes an op) with the helper of each <see cref="IrOp.Call"/> and <see cref="IrOp.PureCall"/> replaced by
    /// <paramref name="map"/>'s answer; the bytes written, or -1 where <paramref name="map"/> answers a negative.
    /// <paramref name="calls"/> says whether there was any.
    /// </summary>
    public static int MapHelpers(ReadOnlySpan<byte> ops, Span<byte> into, delegate*<ushort, int> map, out bool calls)
    {
        calls = false;
        int at = 0, to = 0;
        ulong count = ReadVarint(ops, ref at);
        to = WriteVarint(into, to, count);
        for (ulong k = 0; k < count; k++)
        {
            var op = (IrOp)ops[at];
            int mask = ops[at + 1];
            int start = at;
            at += 2 + ((mask & SizeBit) != 0 ? 1 : 0) + ((mask & AuxBit) != 0 ? 1 : 0);
            for (int bit = DstBit; bit <= CBit; bit <<= 1)
                if ((mask & bit) != 0) ReadVarint(ops, ref at);
            ops[start..at].CopyTo(into[to..]);
            to += at - start;
            if ((mask & HelperBit) != 0)
            {
                ulong helper = ReadVarint(ops, ref at);
                if (op is IrOp.Call or IrOp.PureCall)
                {
                    calls = true;
                    int mapped = map((ushort)helper);
                    if (mapped < 0 || mapped > ushort.MaxValue) return -1;
                    helper = (ulong)mapped;
                }
                to = WriteVarint(into, to, helper);
            }
            if ((mask & ImmBit) != 0)
            {
                int immStart = at;
                ReadVarint(ops, ref at);
                ops[immStart..at].CopyTo(into[to..]);
                to += at - immStart;
            }
        }
        return to;
    }

    // Most values are temps below 128: one byte, inline; longer ones in the loop (WriteVarintLong, ReadVarintLong).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    static int WriteVarint(Span<byte> buffer, int at, ulong value)
    {
        if (value < 0x80)
        {
            buffer[at] = (byte)value;
            return at + 1;
        }
        return WriteVarintLong(buffer, at, value);
    }

    static int WriteVarintLong(Span<byte> buffer, int at, ulong value)
    {
        while (value >= 0x80)
        {
            buffer[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[at++] = (byte)value;
        return at;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    static ulong ReadVarint(ReadOnlySpan<byte> packed, ref int at)
    {
        byte first = packed[at];
        if (first < 0x80)
        {
            at++;
            return first;
        }
        return ReadVarintLong(packed, ref at);
    }

    static ulong ReadVarintLong(ReadOnlySpan<byte> packed, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = packed[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }
}
