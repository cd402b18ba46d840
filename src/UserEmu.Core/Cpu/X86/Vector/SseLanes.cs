using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace UserEmu.Cpu.X86;

/// <summary>Element access to a 128-bit register image held in a local (results are built there and committed at the end).</summary>
static class SseLanes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref uint U32(ref Vector128<byte> v, int i) => ref Unsafe.Add(ref Unsafe.As<Vector128<byte>, uint>(ref v), i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref ulong U64(ref Vector128<byte> v, int i) => ref Unsafe.Add(ref Unsafe.As<Vector128<byte>, ulong>(ref v), i);

    /// <summary>Lane <paramref name="i"/> as a raw pattern: a float (32-bit lanes) when <paramref name="single"/>, else a double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Get(ref Vector128<byte> v, int i, bool single) => single ? U32(ref v, i) : U64(ref v, i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(ref Vector128<byte> v, int i, bool single, ulong value)
    {
        if (single) U32(ref v, i) = (uint)value;
        else U64(ref v, i) = value;
    }
}
