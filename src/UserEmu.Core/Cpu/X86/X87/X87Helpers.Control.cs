using System.Runtime.CompilerServices;
using UserEmu.Engine;
using static UserEmu.Cpu.X86.X87.X87Status;

namespace UserEmu.Cpu.X86.X87;

public static unsafe partial class X87Helpers
{
    /// <summary>Sizes of the environment image with a 32-bit and a 16-bit (0x66) operand size; fnsave adds the eight registers.</summary>
    const int EnvSize = 28, Env16Size = 14, RegistersSize = 80;

    /// <summary>FSW with TOP merged in, as fnstsw stores it.</summary>
    public static ushort StatusWord(CpuState* s) => (ushort)((s->Fsw & ~Top) | (s->FpTop & 7) << 11);

    /// <summary>fnstsw/fstsw (m16 or AX), fnstcw, fldcw, fnstenv/fldenv and fnsave/frstor (64-bit mode; operand kind M16Int selects the 16-bit layouts).</summary>
    public static ulong Control(Vcpu cpu, ulong ea, ulong pc, long imm)
    {
        var s = cpu.State;
        var mem = cpu.Memory;
        var op = X87Imm.OpOf(imm);
        bool small = X87Imm.KindOf(imm) == X87Operand.M16Int;
        int env = small ? Env16Size : EnvSize;
        if (X87Imm.WaitsOf(imm)) X87Stack.CheckPending(cpu, pc);
        switch (op)
        {
            case X87Op.StoreSw:
                mem.Write16(ea, StatusWord(s));
                return 0;
            case X87Op.StoreSwAx:
                s->Gpr[0] = (s->Gpr[0] & ~0xFFFFUL) | StatusWord(s);
                return 0;
            case X87Op.StoreCw:
                mem.Write16(ea, s->Fcw);
                return 0;
            case X87Op.LoadCw:
                s->Fcw = ControlWord(mem.Read16(ea));
                X87Stack.UpdateSummary(s);
                return 0;
            case X87Op.StoreEnv:
            {
                var dst = mem.WriteSpan(ea, env);
                WriteEnv(s, dst, small);
                // fnstenv leaves every exception masked, as the kernel's and libm's handlers expect.
                s->Fcw |= Exceptions;
                X87Stack.UpdateSummary(s);
                return 0;
            }
            case X87Op.Save:
            {
                var dst = mem.WriteSpan(ea, env + RegistersSize);
                WriteEnv(s, dst, small);
                for (int i = 0; i < 8; i++)
                {
                    var v = X87Stack.Get(s, i);
                    Unsafe.WriteUnaligned(ref dst[env + i * 10], v.Mant);
                    Unsafe.WriteUnaligned(ref dst[env + i * 10 + 8], v.SignExp);
                }
                X87Stack.Init(s);
                return 0;
            }
            case X87Op.LoadEnv:
            {
                var src = mem.ReadSpan(ea, env);
                ReadEnv(s, src, small);
                return 0;
            }
            case X87Op.Restore:
            {
                var src = mem.ReadSpan(ea, env + RegistersSize);
                ReadEnv(s, src, small);
                for (int i = 0; i < 8; i++)
                {
                    ref var slot = ref X87Stack.Slot(s, X87Stack.Phys(s, i));
                    slot = new Float80(Unsafe.ReadUnaligned<ushort>(in src[env + i * 10 + 8]), Unsafe.ReadUnaligned<ulong>(in src[env + i * 10]));
                }
                return 0;
            }
            default:
                throw new InvalidOperationException($"x87 control op {op}");
        }
    }

    /// <summary>A loaded control word as the CPU keeps it: reserved bits 7 and 13..15 clear, bit 6 set.</summary>
    static ushort ControlWord(ushort v) => (ushort)((v & 0x1F3F) | 0x40);

    /// <summary>
    /// The 28-byte protected-mode environment: FCW, FSW, FTW (full), FIP, FCS|FOP, FDP, FDS; reserved halves read as
    /// ones. The 14-byte one (16-bit operand size) has the same words without reserved halves and without FOP: FIP and
    /// FDP are their low 16 bits, FCS and FDS zero (64-bit mode, as the host stores them).
    /// </summary>
    static void WriteEnv(CpuState* s, Span<byte> d, bool small)
    {
        if (small)
        {
            Unsafe.WriteUnaligned(ref d[0], (ushort)s->Fcw);
            Unsafe.WriteUnaligned(ref d[2], StatusWord(s));
            Unsafe.WriteUnaligned(ref d[4], (ushort)X87Stack.FullTagWord(s));
            Unsafe.WriteUnaligned(ref d[6], (ushort)s->FpIp);
            Unsafe.WriteUnaligned(ref d[8], (ushort)0);
            Unsafe.WriteUnaligned(ref d[10], (ushort)s->FpDp);
            Unsafe.WriteUnaligned(ref d[12], (ushort)0);
            return;
        }
        Unsafe.WriteUnaligned(ref d[0], 0xFFFF_0000u | s->Fcw);
        Unsafe.WriteUnaligned(ref d[4], 0xFFFF_0000u | StatusWord(s));
        Unsafe.WriteUnaligned(ref d[8], 0xFFFF_0000u | X87Stack.FullTagWord(s));
        Unsafe.WriteUnaligned(ref d[12], (uint)s->FpIp);
        Unsafe.WriteUnaligned(ref d[16], (uint)(s->Fop & 0x7FF) << 16);
        Unsafe.WriteUnaligned(ref d[20], (uint)s->FpDp);
        Unsafe.WriteUnaligned(ref d[24], 0xFFFF_0000u);
    }

    /// <summary>Loads an environment image (<see cref="WriteEnv"/>'s layouts); the 16-bit one gives FIP and FDP zero-extended and FOP 0.</summary>
    static void ReadEnv(CpuState* s, ReadOnlySpan<byte> src, bool small)
    {
        int word = small ? 2 : 4;
        s->Fcw = ControlWord(Unsafe.ReadUnaligned<ushort>(in src[0]));
        ushort fsw = Unsafe.ReadUnaligned<ushort>(in src[word]);
        s->FpTop = (fsw >> 11) & 7;
        s->Fsw = (ushort)(fsw & ~Top);
        ushort tw = Unsafe.ReadUnaligned<ushort>(in src[2 * word]);
        int abridged = 0;
        for (int p = 0; p < 8; p++)
            if ((tw >> (2 * p) & 3) != 3) abridged |= 1 << p;
        s->FtwAbridged = (ushort)abridged;
        if (small)
        {
            s->FpIp = Unsafe.ReadUnaligned<ushort>(in src[6]);
            s->Fop = 0;
            s->FpDp = Unsafe.ReadUnaligned<ushort>(in src[10]);
        }
        else
        {
            s->FpIp = Unsafe.ReadUnaligned<uint>(in src[12]);
            s->Fop = (ushort)(Unsafe.ReadUnaligned<uint>(in src[16]) >> 16 & 0x7FF);
            s->FpDp = Unsafe.ReadUnaligned<uint>(in src[20]);
        }
        // ES and B are not taken from memory: they follow the loaded flags and masks.
        X87Stack.UpdateSummary(s);
    }
}
