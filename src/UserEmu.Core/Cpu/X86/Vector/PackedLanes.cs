using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using UserEmu.Engine;

namespace UserEmu.Cpu.X86;

/// <summary>Typed lane views of the registers named by a packed helper imm (see <c>X86Emitter.VecImm</c>).</summary>
public static class PackedLanes
{
    /// <summary>The destination register as a vector of <typeparamref name="T"/> lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref Vector128<T> D<T>(Vcpu cpu, long imm) =>
        ref Unsafe.As<Vector128<byte>, Vector128<T>>(ref VectorHelpers.Xmm(cpu, VectorHelpers.Dst(imm)));

    /// <summary>The source register (or scratch slot) as a vector of <typeparamref name="T"/> lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> S<T>(Vcpu cpu, long imm) => VectorHelpers.Xmm(cpu, VectorHelpers.Src(imm)).As<byte, T>();

    /// <summary>Register <paramref name="index"/> as a vector of <typeparamref name="T"/> lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref Vector128<T> R<T>(Vcpu cpu, int index) =>
        ref Unsafe.As<Vector128<byte>, Vector128<T>>(ref VectorHelpers.Xmm(cpu, index));

    /// <summary>Lane <paramref name="i"/> of a vector held in a local, writable.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref T Lane<T>(ref Vector128<T> v, int i) => ref Unsafe.Add(ref Unsafe.As<Vector128<T>, T>(ref v), i);
}
