using UserEmu.Engine;
using static UserEmu.Cpu.X86.X87.X87Status;

namespace UserEmu.Cpu.X86.X87;

/// <summary>
/// IR helpers of the x87 instructions. Calling convention: a = effective address of the memory operand (if any),
/// b = the instruction's address (for SIGFPE), imm = <see cref="X87Imm"/>. Memory is read, and written, before any FPU state changes.
/// </summary>
public static unsafe partial class X87Helpers
{
    /// <summary>
    /// Reads a memory operand and converts it to extended precision. For fld (<paramref name="asOperand"/> false) a
    /// single/double SNaN raises IE and a denormal DE; as an arithmetic source an SNaN stays signaling and DE is left to the
    /// operation (which does not raise it when the other operand is a NaN).
    /// </summary>
    static Float80 ReadOperand(Vcpu cpu, X87Operand kind, ulong ea, ref int flags, bool asOperand = false)
    {
        var mem = cpu.Memory;
        switch (kind)
        {
            case X87Operand.M32Fp: return Float80Convert.FromSingle(mem.Read32(ea), ref flags, asOperand);
            case X87Operand.M64Fp: return Float80Convert.FromDouble(mem.Read64(ea), ref flags, asOperand);
            case X87Operand.M16Int: return Float80Convert.FromInt64((short)mem.Read16(ea));
            case X87Operand.M32Int: return Float80Convert.FromInt64((int)mem.Read32(ea));
            case X87Operand.M64Int: return Float80Convert.FromInt64((long)mem.Read64(ea));
            case X87Operand.M80Fp:
            {
                var span = mem.ReadSpan(ea, 10);
                return new Float80(BitConverter.ToUInt16(span[8..]), BitConverter.ToUInt64(span));
            }
            case X87Operand.Bcd: return Float80Convert.FromBcd(mem.ReadSpan(ea, 10));
            case X87Operand.Zero: return Float80.Zero;
            default: throw new InvalidOperationException($"x87 operand {kind}");
        }
    }

    static void PopN(CpuState* s, int n)
    {
        for (int k = 0; k < n; k++) X87Stack.Pop(s);
    }

    /// <summary>fadd/fsub/fsubr/fmul/fdiv/fdivr in all forms (ST(0) op m32/m64/m16int/m32int, ST(0) op ST(i), ST(i) op ST(0), and the popping forms).</summary>
    public static ulong Arith(Vcpu cpu, ulong ea, ulong pc, long imm)
    {
        var s = cpu.State;
        X87Stack.CheckPending(cpu, pc);
        var kind = X87Imm.KindOf(imm);
        int i = X87Imm.IndexOf(imm);
        bool destSti = X87Imm.DestIsStiOf(imm);
        int pops = X87Imm.PopsOf(imm);
        int flags = 0;
        int memFlags = 0;
        Float80 src = kind == X87Operand.St ? default : ReadOperand(cpu, kind, ea, ref memFlags, asOperand: true);
        int dest = destSti ? i : 0, other = destSti ? 0 : i;
        if (X87Stack.IsEmpty(s, dest) || (kind == X87Operand.St && X87Stack.IsEmpty(s, other)))
        {
            if (X87Stack.Underflow(s))
            {
                X87Stack.Set(s, dest, Float80.Indefinite);
                PopN(s, pops);
            }
            return 0;
        }
        Float80 x = X87Stack.Get(s, dest), y = kind == X87Operand.St ? X87Stack.Get(s, other) : src;
        bool numeric = !(x.IsNaN || x.IsUnsupported || y.IsNaN);
        ushort fcw = s->Fcw;
        Float80 r = X87Imm.OpOf(imm) switch
        {
            X87Op.Add => Float80Arith.Add(x, y, fcw, ref flags),
            X87Op.Mul => Float80Arith.Mul(x, y, fcw, ref flags),
            X87Op.Sub => Float80Arith.Sub(x, y, fcw, ref flags),
            X87Op.SubR => Float80Arith.Sub(y, x, fcw, ref flags),
            X87Op.Div => Float80Arith.Div(x, y, fcw, ref flags),
            _ => Float80Arith.Div(y, x, fcw, ref flags),
        };
        // A denormal memory source counts only when the operation gets to numbers (not NaNs, not a zero divisor).
        if (numeric && (flags & ZE) == 0) flags |= memFlags;
        if (!X87Stack.Commit(s, flags)) return 0;
        X87Stack.Set(s, dest, r);
        PopN(s, pops);
        return 0;
    }

    /// <summary>fcom/fcomp/fcompp/fucom*/ficom*/ftst (condition codes) and fcomi/fcomip/fucomi/fucomip (ZF, PF, CF).</summary>
    public static ulong Compare(Vcpu cpu, ulong ea, ulong pc, long imm)
    {
        var s = cpu.State;
        X87Stack.CheckPending(cpu, pc);
        var op = X87Imm.OpOf(imm);
        var kind = X87Imm.KindOf(imm);
        int i = X87Imm.IndexOf(imm);
        int pops = X87Imm.PopsOf(imm);
        int flags = 0;
        int memFlags = 0;
        Float80 src = kind == X87Operand.St ? default : ReadOperand(cpu, kind, ea, ref memFlags, asOperand: true);
        Float80Arith.Order order;
        if (X87Stack.IsEmpty(s, 0) || (kind == X87Operand.St && X87Stack.IsEmpty(s, i)))
        {
            if (!X87Stack.Underflow(s)) pops = 0;
            order = Float80Arith.Order.Unordered;
        }
        else
        {
            bool quiet = op is X87Op.UCompare or X87Op.UCompareI;
            Float80 x = X87Stack.Get(s, 0), y = kind == X87Operand.St ? X87Stack.Get(s, i) : src;
            if (!(x.IsNaN || x.IsUnsupported || y.IsNaN)) flags |= memFlags;
            order = Float80Arith.Compare(x, y, quiet, ref flags);
            int oldC1 = s->Fsw & C1;
            // Even with the exception unmasked the condition codes are written; only the pop is suppressed.
            if (!X87Stack.Commit(s, flags)) pops = 0;
            // fcomi/fucomi leave C1 as it was (the CPU does, although the SDM says cleared).
            if (op is X87Op.CompareI or X87Op.UCompareI) s->Fsw = (ushort)((s->Fsw & ~C1) | oldC1);
        }
        if (op is X87Op.CompareI or X87Op.UCompareI)
        {
            ulong f = order switch
            {
                Float80Arith.Order.Less => LazyFlags.CF,
                Float80Arith.Order.Equal => LazyFlags.ZF,
                Float80Arith.Order.Unordered => LazyFlags.ZF | LazyFlags.PF | LazyFlags.CF,
                _ => 0,
            };
            s->CcOp = (uint)CcOp.Eflags;
            s->CcSrc = f;
        }
        else
        {
            int cc = order switch
            {
                Float80Arith.Order.Less => C0,
                Float80Arith.Order.Equal => C3,
                Float80Arith.Order.Unordered => C0 | C2 | C3,
                _ => 0,
            };
            s->Fsw = (ushort)((s->Fsw & ~(C0 | C2 | C3)) | cc);
        }
        PopN(s, pops);
        return 0;
    }
}
