using System.Numerics;
using System.Runtime.Intrinsics.X86;
using UserEmu.Engine;
using Sig = UserEmu.Engine.Signals;

namespace UserEmu.Cpu.X86;

/// <summary>IR helpers for integer instructions that IR ops cannot express cheaply: division, rcl/rcr, crc32, pdep/pext, rdrand, cmpxchg16b.</summary>
/// <remarks>Helpers that write guest state do so only after every check and memory access that can fail.</remarks>
public static unsafe class IntegerHelpers
{
    // ---- div / idiv --------------------------------------------------------------------------

    /// <summary>Helper imm for <see cref="Divide"/>: operand size in bytes, plus 0x100 for idiv.</summary>
    public static long DivideImm(int size, bool signed) => size | (signed ? 0x100 : 0);

    /// <summary>div/idiv of the implicit dividend by <paramref name="divisor"/>; #DE (SIGFPE/FPE_INTDIV) on a zero divisor or quotient overflow.</summary>
    public static ulong Divide(Vcpu cpu, ulong divisor, ulong b, long imm)
    {
        var s = cpu.State;
        int size = (int)(imm & 0xff);
        bool signed = (imm & 0x100) != 0;
        ulong rax = s->Gpr[CpuState.RAX], rdx = s->Gpr[CpuState.RDX];
        if ((divisor & SizeMask(size)) == 0) throw DivideError(cpu);
        ulong q, r;
        switch (size)
        {
            case 1:
                Small(cpu, (ushort)rax, divisor, 1, signed, out q, out r);
                s->Gpr[CpuState.RAX] = (rax & ~0xffffUL) | (byte)q | (ulong)(byte)r << 8;
                return 0;
            case 2:
                Small(cpu, (uint)((rdx & 0xffff) << 16 | (rax & 0xffff)), divisor, 2, signed, out q, out r);
                s->Gpr[CpuState.RAX] = (rax & ~0xffffUL) | (ushort)q;
                s->Gpr[CpuState.RDX] = (rdx & ~0xffffUL) | (ushort)r;
                return 0;
            case 4:
                Small(cpu, rdx << 32 | (uint)rax, divisor, 4, signed, out q, out r);
                s->Gpr[CpuState.RAX] = (uint)q;
                s->Gpr[CpuState.RDX] = (uint)r;
                return 0;
            default:
                if (signed) Signed128(cpu, rdx, rax, (long)divisor, out q, out r);
                else
                {
                    // The quotient fits in 64 bits exactly when the high half is below the divisor.
                    if (rdx >= divisor) throw DivideError(cpu);
                    if (rdx == 0) (q, r) = Math.DivRem(rax, divisor);
                    else
                    {
                        var n = new UInt128(rdx, rax);
                        q = (ulong)(n / divisor);
                        r = (ulong)(n % divisor);
                    }
                }
                s->Gpr[CpuState.RAX] = q;
                s->Gpr[CpuState.RDX] = r;
                return 0;
        }
    }

    static ulong SizeMask(int size) => size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;

    static GuestSignalException DivideError(Vcpu cpu) => new(Sig.SIGFPE, Sig.FPE_INTDIV, cpu.State->Rip);

    /// <summary>Division of a 2*size-byte dividend (size ≤ 4, so it fits in 64 bits) with the #DE range check.</summary>
    static void Small(Vcpu cpu, ulong dividend, ulong divisor, int size, bool signed, out ulong q, out ulong r)
    {
        int bits = size * 8;
        if (!signed)
        {
            ulong d = divisor & SizeMask(size);
            q = dividend / d;
            r = dividend % d;
            if (q > SizeMask(size)) throw DivideError(cpu);
            return;
        }
        // Sign-extend both from their widths. Only long.MinValue / -1 (32-bit idiv) would trap in .NET, and it overflows anyway.
        long n = (long)(dividend << (64 - 2 * bits)) >> (64 - 2 * bits);
        long dv = (long)(divisor << (64 - bits)) >> (64 - bits);
        if (dv == -1 && n == long.MinValue) throw DivideError(cpu);
        long sq = n / dv;
        long limit = 1L << (bits - 1);
        if (sq >= limit || sq < -limit) throw DivideError(cpu);
        q = (ulong)sq;
        r = (ulong)(n % dv);
    }

    static void Signed128(Vcpu cpu, ulong hi, ulong lo, long d, out ulong q, out ulong r)
    {
        if (hi == (ulong)((long)lo >> 63))
        {
            // The common cqo; idiv case: a dividend that fits in 64 bits.
            long n64 = (long)lo;
            if (d == -1 && n64 == long.MinValue) throw DivideError(cpu);
            q = (ulong)(n64 / d);
            r = (ulong)(n64 % d);
            return;
        }
        var n = (Int128)new UInt128(hi, lo);
        // Int128.MinValue / -1 would throw in .NET; its quotient does not fit anyway.
        if (d == -1)
        {
            if (n == Int128.MinValue) throw DivideError(cpu);
            Int128 neg = -n;
            if (neg > long.MaxValue || neg < long.MinValue) throw DivideError(cpu);
            q = (ulong)(long)neg;
            r = 0;
            return;
        }
        Int128 sq = n / d;
        if (sq > long.MaxValue || sq < long.MinValue) throw DivideError(cpu);
        q = (ulong)(long)sq;
        r = (ulong)(long)(n % d);
    }

    // ---- bit counting ------------------------------------------------------------------------

    /// <summary>
    /// Set bits of <paramref name="a"/> (b, c: the same temp, unused): the one step of popcnt, tzcnt, lzcnt, bsf and bsr
    /// lowering that is not a plain IR op. Native code runs it as the host's popcnt; constant folding calls it.
    /// </summary>
    public static ulong PopCount(ulong a, ulong b, ulong c, long imm) => (ulong)System.Numerics.BitOperations.PopCount(a);

    // ---- rcl / rcr ---------------------------------------------------------------------------

    /// <summary>Helper imm for the rotate-through-carry helpers: operand size, plus 0x100 for rcl.</summary>
    public static long RotateCarryImm(int size, bool left) => size | (left ? 0x100 : 0);

    /// <summary>Result of rcl/rcr of <paramref name="x"/> by <paramref name="count"/> (CF read from the state).</summary>
    public static ulong RotateThroughCarry(Vcpu cpu, ulong x, ulong count, long imm)
    {
        ulong flags = LazyFlags.Compute(cpu.State);
        return RotateCarry(x, count, imm, flags & LazyFlags.CF, out _);
    }

    /// <summary>Flags after rcl/rcr: CF and OF change (OF is defined for a count of 1 only), the rest are kept.</summary>
    public static ulong RotateThroughCarryFlags(Vcpu cpu, ulong x, ulong count, long imm)
    {
        ulong flags = LazyFlags.Compute(cpu.State);
        int size = (int)(imm & 0xff);
        if (((int)count & (size == 8 ? 63 : 31)) == 0) return flags;
        ulong res = RotateCarry(x, count, imm, flags & LazyFlags.CF, out ulong cf);
        int bits = size * 8;
        ulong msb = res >> (bits - 1) & 1;
        ulong of = (imm & 0x100) != 0 ? msb ^ cf : msb ^ (res >> (bits - 2) & 1);
        return (flags & ~(LazyFlags.CF | LazyFlags.OF)) | cf | of << 11;
    }

    static ulong RotateCarry(ulong x, ulong count, long imm, ulong cf, out ulong cfOut)
    {
        int size = (int)(imm & 0xff);
        bool left = (imm & 0x100) != 0;
        int bits = size * 8;
        ulong mask = SizeMask(size);
        int c = (int)count & (size == 8 ? 63 : 31);
        // The carry is a (bits+1)-th bit of the rotated value, hence the modulus for narrow operands.
        if (size == 1) c %= 9;
        else if (size == 2) c %= 17;
        ulong v = x & mask;
        for (int k = 0; k < c; k++)
        {
            ulong t;
            if (left)
            {
                t = v >> (bits - 1) & 1;
                v = (v << 1 | cf) & mask;
            }
            else
            {
                t = v & 1;
                v = v >> 1 | cf << (bits - 1);
            }
            cf = t;
        }
        cfOut = cf;
        return v;
    }

    // ---- crc32, pdep / pext, rdrand ----------------------------------------------------------

    /// <summary>SSE4.2 crc32: CRC-32C of the low imm bytes of <paramref name="data"/> into <paramref name="crc"/> (no pre/post inversion).</summary>
    public static ulong Crc32C(Vcpu cpu, ulong crc, ulong data, long imm) => imm switch
    {
        1 => BitOperations.Crc32C((uint)crc, (byte)data),
        2 => BitOperations.Crc32C((uint)crc, (ushort)data),
        4 => BitOperations.Crc32C((uint)crc, (uint)data),
        _ => BitOperations.Crc32C((uint)crc, data),
    };

    /// <summary>BMI2 pdep: deposits the low bits of <paramref name="src"/> at the set bits of <paramref name="mask"/>.</summary>
    public static ulong Pdep(Vcpu cpu, ulong src, ulong mask, long imm)
    {
        if (Bmi2.X64.IsSupported) return Bmi2.X64.ParallelBitDeposit(src, mask);
        ulong r = 0;
        for (ulong bit = 1; mask != 0; bit <<= 1)
        {
            if ((src & bit) != 0) r |= mask & (0 - mask);
            mask &= mask - 1;
        }
        return r;
    }

    /// <summary>BMI2 pext: gathers the bits of <paramref name="src"/> at the set bits of <paramref name="mask"/> into the low bits.</summary>
    public static ulong Pext(Vcpu cpu, ulong src, ulong mask, long imm)
    {
        if (Bmi2.X64.IsSupported) return Bmi2.X64.ParallelBitExtract(src, mask);
        ulong r = 0;
        for (ulong bit = 1; mask != 0; bit <<= 1)
        {
            if ((src & mask & (0 - mask)) != 0) r |= bit;
            mask &= mask - 1;
        }
        return r;
    }

    /// <summary>rdrand/rdseed: 64 random bits from the host CSPRNG (which never runs dry, so CF is always 1).</summary>
    public static ulong Random(Vcpu cpu, ulong a, ulong b, long imm)
    {
        Span<byte> buf = stackalloc byte[8];
        Host.LibC.GetRandom(buf);
        return BitConverter.ToUInt64(buf);
    }

    // ---- cmpxchg16b --------------------------------------------------------------------------

    /// <summary>
    /// cmpxchg16b m128 at <paramref name="addr"/>: compares RDX:RAX with it; if equal stores RCX:RBX and sets ZF,
    /// else loads it into RDX:RAX and clears ZF. Other flags are kept. A misaligned operand is #GP (SIGSEGV).
    /// </summary>
    /// <remarks>
    /// The memory is always written, as the CPU does (a read-only page faults even when the compare fails).
    /// This is the read-modify-write point for the LOCK form; it is a plain load/store for a single guest thread.
    /// </remarks>
    public static ulong CompareExchange16(Vcpu cpu, ulong addr, ulong b, long imm)
    {
        if ((addr & 15) != 0) throw new GuestSignalException(Sig.SIGSEGV, Sig.SI_KERNEL, 0);
        var s = cpu.State;
        var mem = cpu.Memory;
        UInt128 cur = mem.Read128(addr);
        bool equal = cur == new UInt128(s->Gpr[CpuState.RDX], s->Gpr[CpuState.RAX]);
        mem.Write128(addr, equal ? new UInt128(s->Gpr[CpuState.RCX], s->Gpr[CpuState.RBX]) : cur);
        ulong flags = LazyFlags.Compute(s) & ~LazyFlags.ZF;
        if (equal) flags |= LazyFlags.ZF;
        else
        {
            s->Gpr[CpuState.RAX] = (ulong)cur;
            s->Gpr[CpuState.RDX] = (ulong)(cur >> 64);
        }
        s->CcOp = (uint)CcOp.Eflags;
        s->CcSrc = flags;
        return 0;
    }
}
