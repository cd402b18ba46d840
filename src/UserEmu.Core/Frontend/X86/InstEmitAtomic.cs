using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Frontend.X86;

/// <summary>Exchange-and-compare instructions: xadd, cmpxchg, cmpxchg8b, cmpxchg16b (LOCK-able read-modify-writes).</summary>
/// <remarks>
/// The memory update of each goes through <see cref="X86Emitter.ReadModifyWrite"/> (cmpxchg16b: its helper), the one
/// place that will become atomic for LOCK. Register destinations need no atomicity and keep the CPU's write order.
/// </remarks>
static class InstEmitAtomic
{
    public static void Install(X86EmitterTable t)
    {
        t[Mnemonic.Xadd] = Xadd;
        t[Mnemonic.Cmpxchg] = Cmpxchg;
        t[Mnemonic.Cmpxchg8b] = Cmpxchg8b;
        t[Mnemonic.Cmpxchg16b] = e => e.HelperImm(IntegerHelpers.CompareExchange16, 0, e.Ea());
    }

    static void Xadd(X86Emitter e)
    {
        var b = e.B;
        int size = e.OpSize(0);
        ushort src = e.Read(1, size);
        ushort old, sum;
        if (e.IsMem(0))
        {
            old = e.ReadModifyWrite(0, size, x => e.Trunc(b.Add(x, src), size), out sum);
            e.Write(1, old, size);
        }
        else
        {
            // TEMP = SRC + DEST; SRC = DEST; DEST = TEMP: with one register for both, the sum wins.
            old = e.Read(0, size);
            sum = e.Trunc(b.Add(old, src), size);
            e.Write(1, old, size);
            e.Write(0, sum, size);
        }
        e.SetFlags(CcKind.Add, size, sum, src, 0, old, hasA: true);
    }

    static void Cmpxchg(X86Emitter e)
    {
        var b = e.B;
        int size = e.OpSize(0);
        ushort src = e.Read(1, size);
        ushort acc = e.GetGpr(CpuState.RAX, size);
        // The accumulator is written only when the compare fails; a 32-bit write would clear RAX's upper half, so
        // the success case writes back the whole old RAX instead (the same for a register destination below).
        ushort rax = size == 4 ? e.GetGpr(CpuState.RAX, 8) : acc;
        int accSize = size == 4 ? 8 : size;
        ushort dst, equal;
        if (e.IsMem(0))
        {
            // The destination is always written (with its own value when the compare fails), as the CPU does.
            ushort eq = 0;
            dst = e.ReadModifyWrite(0, size, x =>
            {
                eq = b.Binary(IrOp.CmpEq, acc, x);
                return b.Select(eq, src, x);
            }, out _);
            equal = eq;
            e.SetGpr(CpuState.RAX, accSize, b.Select(equal, rax, dst));
        }
        else
        {
            dst = e.Read(0, size);
            equal = b.Binary(IrOp.CmpEq, acc, dst);
            // Accumulator first: when the destination is the accumulator itself the compare succeeds and DEST = SRC must stick.
            e.SetGpr(CpuState.RAX, accSize, b.Select(equal, rax, dst));
            // A register destination is not written when the compare fails (a 32-bit one keeps its upper half).
            var reg = e.Insn.Op0Register;
            if (size == 4)
            {
                var full = reg.GetFullRegister();
                e.SetReg(full, b.Select(equal, src, e.GetReg(full)));
            }
            else
            {
                e.Write(0, b.Select(equal, src, dst), size);
            }
        }
        e.SetFlags(CcKind.Sub, size, e.Trunc(b.Sub(acc, dst), size), dst, 0, acc, hasA: true);
    }

    static void Cmpxchg8b(X86Emitter e)
    {
        var b = e.B;
        ushort expected = b.Or(b.ShlImm(e.GetGpr(CpuState.RDX, 4), 32), e.GetGpr(CpuState.RAX, 4));
        ushort desired = b.Or(b.ShlImm(e.GetGpr(CpuState.RCX, 4), 32), e.GetGpr(CpuState.RBX, 4));
        // Only ZF changes; the other flags keep their values.
        ushort flags = e.ComputeFlags();
        ushort eq = 0;
        ushort cur = e.ReadModifyWrite(0, 8, x =>
        {
            eq = b.Binary(IrOp.CmpEq, x, expected);
            return b.Select(eq, desired, x);
        }, out _);
        // On failure EDX:EAX receive the memory value (32-bit writes: the upper halves are cleared).
        e.SetGpr(CpuState.RAX, 8, b.Select(eq, e.GetGpr(CpuState.RAX), b.ZExt(cur, 4)));
        e.SetGpr(CpuState.RDX, 8, b.Select(eq, e.GetGpr(CpuState.RDX), b.ShrImm(cur, 32)));
        e.SetEflags(e.MergeFlags(flags, LazyFlags.ZF, b.ShlImm(eq, 6)));
    }
}
