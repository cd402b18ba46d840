using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using UserEmu.Engine;

namespace UserEmu.Cpu.X86;

/// <summary>Access to vector registers from helpers, and the operand packing of <c>X86Emitter.VecImm</c>.</summary>
public static unsafe class VectorHelpers
{
    /// <summary>XMM register <paramref name="index"/> (0..15, or a scratch slot) as a 128-bit vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref Vector128<byte> Xmm(Vcpu cpu, int index) =>
        ref Unsafe.AsRef<Vector128<byte>>((byte*)cpu.State + CpuState.XmmOffset(index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Dst(long imm) => (int)(imm & 0xff);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Src(long imm) => (int)((imm >> 8) & 0xff);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Imm8(long imm) => (int)((imm >> 16) & 0xff);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Extra(long imm) => (int)(imm >> 24);
}
