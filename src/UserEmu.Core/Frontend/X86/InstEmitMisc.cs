using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Frontend.X86;

/// <summary>Assorted integer instructions: bswap, movbe, crc32, enter, leave, xlat, rdrand, rdseed.</summary>
static class InstEmitMisc
{
    public static void Install(X86EmitterTable t)
    {
        t[Mnemonic.Bswap] = Bswap;
        t[Mnemonic.Movbe] = Movbe;
        t[Mnemonic.Crc32] = Crc32;
        t[Mnemonic.Enter] = Enter;
        t[Mnemonic.Leave] = Leave;
        t[Mnemonic.Xlatb] = e => e.SetReg(Register.AL, e.B.Load(e.Ea(), 1));
        t.Add(RdRand, Mnemonic.Rdrand, Mnemonic.Rdseed);
    }

    static void Bswap(X86Emitter e)
    {
        int size = e.OpSize(0);
        // bswap of a 16-bit register is undefined; CPUs clear the low 16 bits, and so does this.
        ushort v = size == 2 ? e.B.Const(0) : e.B.Unary(IrOp.Bswap, e.Read(0, size), size);
        e.Write(0, v, size);
    }

    static void Movbe(X86Emitter e)
    {
        int size = e.OpSize(0);
        e.Write(0, e.B.Unary(IrOp.Bswap, e.Read(1, size), size), size);
    }

    static void Crc32(X86Emitter e)
    {
        int srcSize = e.OpSize(1);
        int dst = X86Emitter.GprIndex(e.Insn.Op0Register);
        ushort data = e.Read(1, srcSize);
        ushort crc = e.GetGpr(dst, 4);
        // Both the r32 and the r64 form produce a 32-bit CRC, zero-extended into the full register.
        e.SetGpr(dst, 8, e.HelperImm(IntegerHelpers.Crc32C, srcSize, crc, data));
    }

    static void Enter(X86Emitter e)
    {
        var b = e.B;
        int size = e.Insn.Code == Code.Enterw_imm16_imm8 ? 2 : 8;
        long alloc = (long)(e.ImmValue(0) & 0xffff);
        int level = (int)e.ImmValue(1) & 31;
        ushort rbp = e.GetGpr(CpuState.RBP);
        // Every store (and the display copies' loads) first, registers last, for a precise fault.
        ushort sp = b.AddImm(e.GetGpr(CpuState.RSP), -size);
        b.Store(sp, rbp, size);
        ushort frame = sp;
        for (int i = 1; i < level; i++)
        {
            ushort v = b.Load(b.AddImm(rbp, -size * i), size);
            sp = b.AddImm(sp, -size);
            b.Store(sp, v, size);
        }
        if (level > 0)
        {
            sp = b.AddImm(sp, -size);
            b.Store(sp, frame, size);
        }
        e.SetGpr(CpuState.RBP, size, frame);
        e.SetGpr(CpuState.RSP, 8, b.AddImm(sp, -alloc));
    }

    static void Leave(X86Emitter e)
    {
        int size = e.Insn.Code == Code.Leavew ? 2 : 8;
        ushort rbp = e.GetGpr(CpuState.RBP);
        ushort v = e.B.Load(rbp, size);
        e.SetGpr(CpuState.RSP, 8, e.B.AddImm(rbp, size));
        e.SetGpr(CpuState.RBP, size, v);
    }

    static void RdRand(X86Emitter e)
    {
        int size = e.OpSize(0);
        ushort v = e.HelperImm(IntegerHelpers.Random, 0);
        e.Write(0, e.Trunc(v, size), size);
        // CF = 1 (a value was returned); OF, SF, ZF, AF, PF cleared.
        e.SetEflags(e.B.Const(LazyFlags.CF));
    }
}
