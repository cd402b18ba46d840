using Iced.Intel;

namespace UserEmu.Tests.Cpu;

/// <summary>Which RFLAGS bits an instruction defines, per the SDM: only those are compared with the CPU.</summary>
/// <remarks>A flag an instruction leaves "unaffected" counts as defined (it must keep its value).</remarks>
public static unsafe class FlagRules
{
    public const ulong CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100, DF = 0x400, OF = 0x800;
    public const ulong NT = 0x4000, AC = 0x40000, ID = 0x200000;

    /// <summary>Every bit user code can observe and change: arithmetic flags, DF, TF, NT, AC, ID.</summary>
    public const ulong All = CF | PF | AF | ZF | SF | OF | DF | TF | NT | AC | ID;

    /// <summary>Flags to compare after <paramref name="c"/> ran to completion.</summary>
    public static ulong Defined(CpuTestCase c)
    {
        if (c.FlagMask is { } m) return m;
        var insn = c.Insn;
        return All & ~Undefined(insn, c.Initial.Gpr[1]);
    }

    /// <summary>
    /// True if <paramref name="c"/> leaves its destination operand undefined per the SDM, so that it is not compared:
    /// shld/shrd with a masked count above the operand size (16-bit forms, counts 17-31), where Intel and AMD differ.
    /// </summary>
    public static bool UndefinedDestination(CpuTestCase c)
    {
        var insn = c.Insn;
        return c.FlagMask == null && insn.Mnemonic is Mnemonic.Shld or Mnemonic.Shrd && Count(insn, c.Initial.Gpr[1], 2) > Bits(insn);
    }

    static int Bits(in Instruction insn) => insn.Op0Kind switch
    {
        OpKind.Register => insn.Op0Register.GetSize() * 8,
        _ => insn.MemorySize.GetSize() * 8,
    };

    /// <summary>The masked shift/rotate count: immediate or CL.</summary>
    static int Count(in Instruction insn, ulong rcx, int countOperand)
    {
        int mask = Bits(insn) == 64 ? 63 : 31;
        ulong raw = insn.GetOpKind(countOperand) == OpKind.Register ? rcx & 0xff : insn.GetImmediate(countOperand);
        return (int)raw & mask;
    }

    static ulong Undefined(in Instruction insn, ulong rcx)
    {
        switch (insn.Mnemonic)
        {
            case Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Shr or Mnemonic.Sar:
            {
                int n = Count(insn, rcx, 1);
                if (n == 0) return 0;
                ulong u = AF | (n != 1 ? OF : 0);
                // SHL/SHR leave CF undefined once the count reaches the operand width (8/16-bit operands).
                if (insn.Mnemonic != Mnemonic.Sar && n >= Bits(insn)) u |= CF;
                return u;
            }
            case Mnemonic.Rol or Mnemonic.Ror or Mnemonic.Rcl or Mnemonic.Rcr:
            {
                int n = Count(insn, rcx, 1);
                return n is 0 or 1 ? 0 : OF;
            }
            case Mnemonic.Shld or Mnemonic.Shrd:
            {
                int n = Count(insn, rcx, 2);
                if (n == 0) return 0;
                // 16-bit counts 17-31 leave result and flags undefined in the SDM (Intel and AMD compute them differently).
                if (n > Bits(insn)) return CF | PF | AF | ZF | SF | OF;
                return AF | (n != 1 ? OF : 0);
            }
            case Mnemonic.Mul or Mnemonic.Imul:
                return SF | ZF | AF | PF;
            case Mnemonic.Div or Mnemonic.Idiv:
                return CF | PF | AF | ZF | SF | OF;
            case Mnemonic.Bt or Mnemonic.Bts or Mnemonic.Btr or Mnemonic.Btc:
                return OF | SF | AF | PF;
            case Mnemonic.Bsf or Mnemonic.Bsr:
                return CF | PF | AF | SF | OF;
            case Mnemonic.Tzcnt or Mnemonic.Lzcnt:
                return OF | SF | AF | PF;
            case Mnemonic.And or Mnemonic.Or or Mnemonic.Xor or Mnemonic.Test:
                return AF;
            case Mnemonic.Andn or Mnemonic.Blsi or Mnemonic.Blsmsk or Mnemonic.Blsr or Mnemonic.Bzhi:
                return AF | PF;
            case Mnemonic.Bextr:
                return SF | AF | PF;
            default:
                return 0;
        }
    }
}
