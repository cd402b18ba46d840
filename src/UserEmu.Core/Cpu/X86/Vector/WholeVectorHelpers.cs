using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using UserEmu.Engine;
using UserEmu.IR;
using static UserEmu.Cpu.X86.VectorHelpers;

namespace UserEmu.Cpu.X86;

/// <summary>
/// VEX integer instructions that work on whole 128- or 256-bit registers and are one host instruction each: loads,
/// stores and moves, byte compares, unsigned byte min/max, logic, adds and subtracts, and vpmovmskb (glibc's AVX2
/// string and memory functions are made of these).
/// </summary>
/// <remarks>
/// Native code performs each as that host instruction on host YMM registers (NativeBlockCompiler.WholeVector), so a
/// 32-byte compare is one instruction instead of ~40 integer IR ops per 64-bit lane (SWAR); the interpreter and
/// regions call these. Operands: <see cref="Pack"/> (destination, first source, second source register, op and
/// flags); a memory operand's address is the call's first operand. A VEX.128 result zeroes bits 255:128.
/// </remarks>
public static unsafe class WholeVectorHelpers
{
    /// <summary>The operation (bits 0..5 of the extra field).</summary>
    public enum Op : byte
    {
        /// <summary>dst = memory.</summary>
        Load,
        /// <summary>memory = first source.</summary>
        Store,
        /// <summary>dst = first source.</summary>
        Move,
        CmpEqB, CmpEqW, CmpEqD, CmpEqQ, CmpGtB,
        MinUB, MaxUB,
        And, AndN, Or, Xor,
        AddB, AddW, AddD, AddQ, SubB, SubW, SubD, SubQ,
        /// <summary>Returns the sign bits of the first source's bytes (vpmovmskb); no vector write.</summary>
        MoveMaskB,
        /// <summary>Bits 255:128 of every register zeroed (vzeroupper); no operands.</summary>
        ZeroUppers,
        /// <summary>
        /// dst = { first source's quadword imm &amp; 1, second source's quadword imm &gt;&gt; 1 } for imm = op - ShufPd0 (shufpd):
        /// the legacy-SSE unpcklpd, unpckhpd, shufpd and blendpd on registers. 128 bits only.
        /// </summary>
        ShufPd0, ShufPd1, ShufPd2, ShufPd3,
        /// <summary>dst = first source's bytes picked by the second's, per 128-bit lane (vpshufb).</summary>
        ShufB,
        /// <summary>dst = first source shifted by the count in the second source's field (vpsrlw/d/q, vpsllw/d/q, vpsraw/d with an immediate).</summary>
        SrlW, SrlD, SrlQ, SllW, SllD, SllQ, SraW, SraD,
        /// <summary>dst = first source's dwords picked by the immediate in the second source's field, per 128-bit lane (vpshufd).</summary>
        ShufD,
    }

    // Above the op's six bits (of Extra).
    const int LegacyBit = 0x100, YmmBit = 0x200, MemoryBit = 0x400;

    /// <summary>Packs the operands (X86Emitter.VecImm's layout: the second source register in the imm8 field).</summary>
    /// <param name="legacy">A legacy-SSE 128-bit write (movaps, movups...): bits 255:128 of the destination are kept, not zeroed.</param>
    public static long Pack(Op op, int dst, int src1, int src2, bool ymm, bool memory, bool legacy = false) =>
        (long)(uint)dst | (long)(uint)src1 << 8 | (long)(src2 & 0xff) << 16
        | (long)((int)op | (legacy ? LegacyBit : 0) | (ymm ? YmmBit : 0) | (memory ? MemoryBit : 0)) << 24;

    public static Op OpOf(long imm) => (Op)(Extra(imm) & 0x3f);

    /// <summary>Ops of one source and an immediate (in the second source's field).</summary>
    public static bool HasImmediate(Op op) => op is >= Op.SrlW and <= Op.ShufD;
    public static bool IsYmm(long imm) => (Extra(imm) & YmmBit) != 0;
    /// <summary>Whether a 128-bit result keeps bits 255:128 of its destination (legacy SSE encoding).</summary>
    public static bool IsLegacy(long imm) => (Extra(imm) & LegacyBit) != 0;
    /// <summary>Whether the second source (or a load's or store's other side) is guest memory at the call's first operand.</summary>
    public static bool IsMemory(long imm) => (Extra(imm) & MemoryBit) != 0;
    public static int Src2(long imm) => Imm8(imm);

    /// <summary>Operations on registers only: no memory, no fault (the optimiser keeps other state across them).</summary>
    [VectorStateOnly]
    public static ulong OnRegisters(Vcpu cpu, ulong ea, ulong b, long imm) => Run(cpu, ea, imm);

    /// <summary>Operations with a memory operand: a load or store of the whole width, or a second source from memory.</summary>
    [VectorStateAndMemory]
    public static ulong WithMemory(Vcpu cpu, ulong ea, ulong b, long imm) => Run(cpu, ea, imm);

    static ulong Run(Vcpu cpu, ulong ea, long imm)
    {
        var op = OpOf(imm);
        bool ymm = IsYmm(imm);
        int bytes = ymm ? 32 : 16;
        if (op == Op.ZeroUppers)
        {
            for (int n = 0; n < 16; n++) Reg(cpu, n) = Vector256.Create(Reg(cpu, n).GetLower(), Vector128<byte>.Zero);
            return 0;
        }
        var first = Reg(cpu, Src(imm));
        if (op == Op.MoveMaskB) return ymm ? first.ExtractMostSignificantBits() : first.GetLower().ExtractMostSignificantBits();
        if (op == Op.Store)
        {
            var to = cpu.Memory.WriteSpan(ea, bytes);
            if (ymm) first.CopyTo(to);
            else first.GetLower().CopyTo(to);
            return 0;
        }
        if (HasImmediate(op))
        {
            Write(cpu, imm, ymm, WithImmediate(op, first, Src2(imm)));
            return 0;
        }
        Vector256<byte> second;
        if (IsMemory(imm))
        {
            var from = cpu.Memory.ReadSpan(ea, bytes);
            second = ymm ? Vector256.Create(from) : Vector256.Create(Vector128.Create(from), Vector128<byte>.Zero);
        }
        else second = Reg(cpu, Src2(imm));
        var r = op switch
        {
            Op.Load => second,
            Op.Move => first,
            Op.CmpEqB => Vector256.Equals(first, second),
            Op.CmpEqW => Vector256.Equals(first.AsUInt16(), second.AsUInt16()).AsByte(),
            Op.CmpEqD => Vector256.Equals(first.AsUInt32(), second.AsUInt32()).AsByte(),
            Op.CmpEqQ => Vector256.Equals(first.AsUInt64(), second.AsUInt64()).AsByte(),
            Op.CmpGtB => Vector256.GreaterThan(first.AsSByte(), second.AsSByte()).AsByte(),
            Op.MinUB => Vector256.Min(first, second),
            Op.MaxUB => Vector256.Max(first, second),
            Op.And => first & second,
            Op.AndN => Vector256.AndNot(second, first),
            Op.Or => first | second,
            Op.Xor => first ^ second,
            Op.AddB => first + second,
            Op.AddW => (first.AsUInt16() + second.AsUInt16()).AsByte(),
            Op.AddD => (first.AsUInt32() + second.AsUInt32()).AsByte(),
            Op.AddQ => (first.AsUInt64() + second.AsUInt64()).AsByte(),
            Op.SubB => first - second,
            Op.SubW => (first.AsUInt16() - second.AsUInt16()).AsByte(),
            Op.SubD => (first.AsUInt32() - second.AsUInt32()).AsByte(),
            Op.ShufPd0 or Op.ShufPd1 or Op.ShufPd2 or Op.ShufPd3 => ShufPd(first, second, op - Op.ShufPd0),
            // Per lane; an index byte with bit 7 set gives 0, else its low four bits pick (out of range for Shuffle: 0).
            Op.ShufB => Vector256.Create(Vector128.Shuffle(first.GetLower(), second.GetLower() & Vector128.Create((byte)0x8f)),
                Vector128.Shuffle(first.GetUpper(), second.GetUpper() & Vector128.Create((byte)0x8f))),
            _ => (first.AsUInt64() - second.AsUInt64()).AsByte(),
        };
        Write(cpu, imm, ymm, r);
        return 0;
    }

    // VEX.128: bits 255:128 of the destination are zeroed; legacy SSE keeps them.
    static void Write(Vcpu cpu, long imm, bool ymm, Vector256<byte> r)
    {
        ref var dst = ref Reg(cpu, Dst(imm));
        dst = ymm ? r : Vector256.Create(r.GetLower(), IsLegacy(imm) ? dst.GetUpper() : Vector128<byte>.Zero);
    }

    // A count past the element's width gives 0, or the sign everywhere for an arithmetic shift (x86's rule).
    static Vector256<byte> WithImmediate(Op op, Vector256<byte> v, int count) => op switch
    {
        Op.SrlW => count > 15 ? default : Vector256.ShiftRightLogical(v.AsUInt16(), count).AsByte(),
        Op.SrlD => count > 31 ? default : Vector256.ShiftRightLogical(v.AsUInt32(), count).AsByte(),
        Op.SrlQ => count > 63 ? default : Vector256.ShiftRightLogical(v.AsUInt64(), count).AsByte(),
        Op.SllW => count > 15 ? default : Vector256.ShiftLeft(v.AsUInt16(), count).AsByte(),
        Op.SllD => count > 31 ? default : Vector256.ShiftLeft(v.AsUInt32(), count).AsByte(),
        Op.SllQ => count > 63 ? default : Vector256.ShiftLeft(v.AsUInt64(), count).AsByte(),
        Op.SraW => Vector256.ShiftRightArithmetic(v.AsInt16(), Math.Min(count, 15)).AsByte(),
        Op.SraD => Vector256.ShiftRightArithmetic(v.AsInt32(), Math.Min(count, 31)).AsByte(),
        _ => Vector256.Create(ShufD(v.GetLower().AsUInt32(), count), ShufD(v.GetUpper().AsUInt32(), count)).AsByte(),
    };

    static Vector128<uint> ShufD(Vector128<uint> lane, int order) =>
        Vector128.Create(lane[order & 3], lane[(order >> 2) & 3], lane[(order >> 4) & 3], lane[(order >> 6) & 3]);

    static Vector256<byte> ShufPd(Vector256<byte> first, Vector256<byte> second, int imm) =>
        Vector256.Create(Vector128.Create(first.AsUInt64().GetElement(imm & 1), second.AsUInt64().GetElement(imm >> 1)).AsByte(), Vector128<byte>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ref Vector256<byte> Reg(Vcpu cpu, int index) =>
        ref Unsafe.AsRef<Vector256<byte>>((byte*)cpu.State + CpuState.XmmOffset(index));
}
