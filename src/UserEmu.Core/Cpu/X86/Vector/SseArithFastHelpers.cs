using System.Runtime.CompilerServices;
using UserEmu.Engine;
using static UserEmu.Cpu.X86.VectorHelpers;

namespace UserEmu.Cpu.X86;

/// <summary>
/// The add/sub/mul/div/min/max/sqrt helpers, specialised per operation and shape: with the operation a constant, the
/// JIT folds the dispatch of <see cref="SseFloat.Arith"/> down to its fast path, and the lanes are read and written
/// in place.
/// </summary>
[IR.VectorStateAndMxcsr]
public static unsafe class SseArithFastHelpers
{
    // Not inlined into compiled regions: there they are the slow path behind SseInlineArith, and inlining them would
    // spend RyuJIT's inlining budget for the region on code that seldom runs.

    /// <summary>The helper for one operation and shape.</summary>
    public static IR.HelperFn For(SseArithOp op, bool single, bool scalar) => (op, single, scalar) switch
    {
        (SseArithOp.Add, false, true) => AddSd, (SseArithOp.Add, true, true) => AddSs,
        (SseArithOp.Add, false, false) => AddPd, (SseArithOp.Add, true, false) => AddPs,
        (SseArithOp.Sub, false, true) => SubSd, (SseArithOp.Sub, true, true) => SubSs,
        (SseArithOp.Sub, false, false) => SubPd, (SseArithOp.Sub, true, false) => SubPs,
        (SseArithOp.Mul, false, true) => MulSd, (SseArithOp.Mul, true, true) => MulSs,
        (SseArithOp.Mul, false, false) => MulPd, (SseArithOp.Mul, true, false) => MulPs,
        (SseArithOp.Div, false, true) => DivSd, (SseArithOp.Div, true, true) => DivSs,
        (SseArithOp.Div, false, false) => DivPd, (SseArithOp.Div, true, false) => DivPs,
        (SseArithOp.Min, false, true) => MinSd, (SseArithOp.Min, true, true) => MinSs,
        (SseArithOp.Min, false, false) => MinPd, (SseArithOp.Min, true, false) => MinPs,
        (SseArithOp.Max, false, true) => MaxSd, (SseArithOp.Max, true, true) => MaxSs,
        (SseArithOp.Max, false, false) => MaxPd, (SseArithOp.Max, true, false) => MaxPs,
        (SseArithOp.Sqrt, false, true) => SqrtSd, (SseArithOp.Sqrt, true, true) => SqrtSs,
        (SseArithOp.Sqrt, false, false) => SqrtPd, _ => SqrtPs,
    };

    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong AddSd(Vcpu cpu, ulong a, ulong b, long imm) => Scalar(cpu, imm, SseArithOp.Add, false);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong AddSs(Vcpu cpu, ulong a, ulong b, long imm) => Scalar(cpu, imm, SseArithOp.Add, true);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong AddPd(Vcpu cpu, ulong a, ulong b, long imm) => Packed(cpu, imm, SseArithOp.Add, false);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong AddPs(Vcpu cpu, ulong a, ulong b, long imm) => Packed(cpu, imm, SseArithOp.Add, true);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong SubSd(Vcpu cpu, ulong a, ulong b, long imm) => Scalar(cpu, imm, SseArithOp.Sub, false);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong SubSs(Vcpu cpu, ulong a, ulong b, long imm) => Scalar(cpu, imm, SseArithOp.Sub, true);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong SubPd(Vcpu cpu, ulong a, ulong b, long imm) => Packed(cpu, imm, SseArithOp.Sub, false);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong SubPs(Vcpu cpu, ulong a, ulong b, long imm) => Packed(cpu, imm, SseArithOp.Sub, true);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong MulSd(Vcpu cpu, ulong a, ulong b, long imm) => Scalar(cpu, imm, SseArithOp.Mul, false);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong MulSs(Vcpu cpu, ulong a, ulong b, long imm) => Scalar(cpu, imm, SseArithOp.Mul, true);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong MulPd(Vcpu cpu, ulong a, ulong b, long imm) => Packed(cpu, imm, SseArithOp.Mul, false);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong MulPs(Vcpu cpu, ulong a, ulong b, long imm) => Packed(cpu, imm, SseArithOp.Mul, true);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong DivSd(Vcpu cpu, ulong a, ulong b, long imm) => Scalar(cpu, imm, SseArithOp.Div, false);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong DivSs(Vcpu cpu, ulong a, ulong b, long imm) => Scalar(cpu, imm, SseArithOp.Div, true);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong DivPd(Vcpu cpu, ulong a, ulong b, long imm) => Packed(cpu, imm, SseArithOp.Div, false);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong DivPs(Vcpu cpu, ulong a, ulong b, long imm) => Packed(cpu, imm, SseArithOp.Div, true);

    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong MinSd(Vcpu cpu, ulong a, ulong b, long imm) => Scalar(cpu, imm, SseArithOp.Min, false);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong MinSs(Vcpu cpu, ulong a, ulong b, long imm) => Scalar(cpu, imm, SseArithOp.Min, true);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong MinPd(Vcpu cpu, ulong a, ulong b, long imm) => Packed(cpu, imm, SseArithOp.Min, false);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong MinPs(Vcpu cpu, ulong a, ulong b, long imm) => Packed(cpu, imm, SseArithOp.Min, true);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong MaxSd(Vcpu cpu, ulong a, ulong b, long imm) => Scalar(cpu, imm, SseArithOp.Max, false);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong MaxSs(Vcpu cpu, ulong a, ulong b, long imm) => Scalar(cpu, imm, SseArithOp.Max, true);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong MaxPd(Vcpu cpu, ulong a, ulong b, long imm) => Packed(cpu, imm, SseArithOp.Max, false);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong MaxPs(Vcpu cpu, ulong a, ulong b, long imm) => Packed(cpu, imm, SseArithOp.Max, true);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong SqrtSd(Vcpu cpu, ulong a, ulong b, long imm) => Scalar(cpu, imm, SseArithOp.Sqrt, false);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong SqrtSs(Vcpu cpu, ulong a, ulong b, long imm) => Scalar(cpu, imm, SseArithOp.Sqrt, true);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong SqrtPd(Vcpu cpu, ulong a, ulong b, long imm) => Packed(cpu, imm, SseArithOp.Sqrt, false);
    [MethodImpl(MethodImplOptions.NoInlining)] public static ulong SqrtPs(Vcpu cpu, ulong a, ulong b, long imm) => Packed(cpu, imm, SseArithOp.Sqrt, true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Scalar(Vcpu cpu, long imm, SseArithOp op, bool single)
    {
        var st = cpu.State;
        byte* d = (byte*)st + CpuState.XmmOffset(Dst(imm));
        byte* s = (byte*)st + CpuState.XmmOffset(Src(imm));
        uint flags = 0;
        if (single)
        {
            ulong r = SseFloat.Arith(op, *(uint*)d, *(uint*)s, true, st->Mxcsr, ref flags);
            if (flags != 0) Mxcsr.Commit(cpu, flags);
            *(uint*)d = (uint)r;
        }
        else
        {
            ulong r = SseFloat.Arith(op, *(ulong*)d, *(ulong*)s, false, st->Mxcsr, ref flags);
            if (flags != 0) Mxcsr.Commit(cpu, flags);
            *(ulong*)d = r;
        }
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Packed(Vcpu cpu, long imm, SseArithOp op, bool single)
    {
        var st = cpu.State;
        byte* d = (byte*)st + CpuState.XmmOffset(Dst(imm));
        byte* s = (byte*)st + CpuState.XmmOffset(Src(imm));
        uint mx = st->Mxcsr, flags = 0;
        if (single)
        {
            uint* x = (uint*)d, y = (uint*)s;
            ulong r0 = SseFloat.Arith(op, x[0], y[0], true, mx, ref flags), r1 = SseFloat.Arith(op, x[1], y[1], true, mx, ref flags);
            ulong r2 = SseFloat.Arith(op, x[2], y[2], true, mx, ref flags), r3 = SseFloat.Arith(op, x[3], y[3], true, mx, ref flags);
            if (flags != 0) Mxcsr.Commit(cpu, flags);
            x[0] = (uint)r0;
            x[1] = (uint)r1;
            x[2] = (uint)r2;
            x[3] = (uint)r3;
        }
        else
        {
            ulong* x = (ulong*)d, y = (ulong*)s;
            ulong r0 = SseFloat.Arith(op, x[0], y[0], false, mx, ref flags), r1 = SseFloat.Arith(op, x[1], y[1], false, mx, ref flags);
            if (flags != 0) Mxcsr.Commit(cpu, flags);
            x[0] = r0;
            x[1] = r1;
        }
        return 0;
    }
}
