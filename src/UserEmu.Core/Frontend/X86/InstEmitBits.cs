using System.Numerics;
using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Frontend.X86;

/// <summary>Single-bit and bit-count instructions: bt, bts, btr, btc, bsf, bsr, tzcnt, lzcnt, popcnt.</summary>
static class InstEmitBits
{
    enum BitOp { Test, Set, Reset, Complement }

    public static void Install(X86EmitterTable t)
    {
        t[Mnemonic.Bt] = e => BitTest(e, BitOp.Test);
        t[Mnemonic.Bts] = e => BitTest(e, BitOp.Set);
        t[Mnemonic.Btr] = e => BitTest(e, BitOp.Reset);
        t[Mnemonic.Btc] = e => BitTest(e, BitOp.Complement);
        t[Mnemonic.Bsf] = e => BitScan(e, forward: true);
        t[Mnemonic.Bsr] = e => BitScan(e, forward: false);
        t[Mnemonic.Tzcnt] = e => Count(e, Mnemonic.Tzcnt);
        t[Mnemonic.Lzcnt] = e => Count(e, Mnemonic.Lzcnt);
        t[Mnemonic.Popcnt] = e => Count(e, Mnemonic.Popcnt);
    }

    static void BitTest(X86Emitter e, BitOp op)
    {
        var b = e.B;
        int size = e.OpSize(0);
        int bits = size * 8;
        bool mem = e.IsMem(0);
        ushort idx, addr = 0;
        if (e.IsImm(1))
        {
            // An immediate offset is taken modulo the operand width, for memory operands too.
            idx = b.Const((long)(e.ImmValue(1) & (ulong)(bits - 1)));
            if (mem) addr = e.Ea();
        }
        else
        {
            ushort off = e.Read(1, size);
            idx = b.AndImm(off, bits - 1);
            if (mem)
            {
                // A register offset is signed and selects the operand-sized unit containing the bit, anywhere in memory.
                ushort unit = b.SarImm(b.SExt(off, size), BitOperations.Log2((uint)bits));
                addr = b.Add(e.Ea(), b.ShlImm(unit, BitOperations.Log2((uint)size)));
            }
        }
        // CF receives the bit; ZF is unaffected and OF/SF/AF/PF are undefined, so all but CF keep their values.
        ushort flags = e.ComputeFlags();
        ushort old;
        if (op == BitOp.Test)
        {
            old = mem ? b.Load(addr, size) : e.Read(0, size);
        }
        else
        {
            ushort m = b.Shl(b.Const(1), idx);
            ushort Compute(ushort x) => op switch
            {
                BitOp.Set => b.Or(x, m),
                BitOp.Reset => b.And(x, b.Unary(IrOp.Not, m)),
                _ => b.Xor(x, m),
            };
            old = mem ? e.ReadModifyWriteAt(addr, size, Compute, out _) : e.ReadModifyWrite(0, size, Compute, out _);
        }
        ushort bit = b.AndImm(b.Shr(old, idx), 1);
        e.SetEflags(e.MergeFlags(flags, LazyFlags.CF, bit));
    }

    static void BitScan(X86Emitter e, bool forward)
    {
        var b = e.B;
        int size = e.OpSize(0);
        ushort src = e.Read(1, size);
        ushort idx = forward ? e.TrailingZeros(src, size) : b.AddImm(e.BitLength(src), -1);
        ushort zero = e.IsZero(src);
        // A zero source leaves the destination unchanged, as CPUs do (the SDM calls it undefined). For a 32-bit
        // destination that includes its upper half, so the select is done on the whole register.
        var dst = e.Insn.Op0Register;
        if (size == 4)
        {
            var full = dst.GetFullRegister();
            e.SetReg(full, b.Select(zero, e.GetReg(full), idx));
        }
        else
        {
            e.Write(0, b.Select(zero, e.Read(0, size), idx), size);
        }
        // Only ZF is defined (set for a zero source); a logic-op record of the source gives exactly that.
        e.SetFlags(CcKind.Logic, size, src);
    }

    static void Count(X86Emitter e, Mnemonic m)
    {
        var b = e.B;
        int size = e.OpSize(0);
        ushort src = e.Read(1, size);
        ushort res = m switch
        {
            Mnemonic.Tzcnt => e.TrailingZeros(src, size),
            Mnemonic.Lzcnt => b.Sub(b.Const(size * 8), e.BitLength(src)),
            _ => e.PopCount(src),
        };
        e.Write(0, res, size);
        // tzcnt/lzcnt: CF = source is zero, ZF = result is zero. popcnt: ZF = source is zero, the rest clear.
        ushort flags = m == Mnemonic.Popcnt
            ? e.BuildFlags(zf: e.IsZero(src))
            : e.BuildFlags(cf: e.IsZero(src), zf: e.IsZero(res));
        e.SetEflags(flags);
    }
}
