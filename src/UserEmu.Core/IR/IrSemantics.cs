using System.Buffers.Binary;
using System.Numerics;

namespace UserEmu.IR;

/// <summary>Meaning of the sized IR ops, shared by the interpreter and called from IL so both backends agree by construction.</summary>
public static class IrSemantics
{
    public static ulong ZExt(ulong v, int size) => size switch { 1 => (byte)v, 2 => (ushort)v, 4 => (uint)v, _ => v };

    public static ulong SExt(ulong v, int size) => size switch
    {
        1 => (ulong)(sbyte)v,
        2 => (ulong)(short)v,
        4 => (ulong)(int)v,
        _ => v,
    };

    public static ulong Bswap(ulong v, int size) => size switch
    {
        2 => BinaryPrimitives.ReverseEndianness((ushort)v),
        4 => BinaryPrimitives.ReverseEndianness((uint)v),
        _ => BinaryPrimitives.ReverseEndianness(v),
    };

    public static ulong Rol(ulong v, ulong n, int size) => size switch
    {
        1 => (byte)((byte)v << (int)(n & 7) | (byte)v >> (8 - (int)(n & 7))),
        2 => (ushort)((ushort)v << (int)(n & 15) | (ushort)v >> (16 - (int)(n & 15))),
        4 => BitOperations.RotateLeft((uint)v, (int)n),
        _ => BitOperations.RotateLeft(v, (int)n),
    };

    public static ulong Ror(ulong v, ulong n, int size) => size switch
    {
        1 => (byte)((byte)v >> (int)(n & 7) | (byte)v << (8 - (int)(n & 7))),
        2 => (ushort)((ushort)v >> (int)(n & 15) | (ushort)v << (16 - (int)(n & 15))),
        4 => BitOperations.RotateRight((uint)v, (int)n),
        _ => BitOperations.RotateRight(v, (int)n),
    };
}
