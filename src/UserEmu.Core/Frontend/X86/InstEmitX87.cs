using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.Cpu.X86.X87;
using UserEmu.IR;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Frontend.X86;

/// <summary>The x87 FPU: every instruction is one helper call (<see cref="X87Helpers"/>) with its operands packed in the imm.</summary>
/// <remarks>
/// The helper gets the effective address in a and the instruction's address in b (for SIGFPE at a waiting instruction
/// with an exception pending); it does its memory accesses before it changes any FPU state.
/// </remarks>
static class InstEmitX87
{
    public static void Install(X86EmitterTable t)
    {
        Arith(t, X87Op.Add, Fadd, Faddp, Fiadd);
        Arith(t, X87Op.Mul, Fmul, Fmulp, Fimul);
        Arith(t, X87Op.Sub, Fsub, Fsubp, Fisub);
        Arith(t, X87Op.SubR, Fsubr, Fsubrp, Fisubr);
        Arith(t, X87Op.Div, Fdiv, Fdivp, Fidiv);
        Arith(t, X87Op.DivR, Fdivr, Fdivrp, Fidivr);

        t.Add(e => Call(e, X87Helpers.Load, X87Op.Load), Fld, Fild, Fbld);
        Mnemonic[] constOps = [Fld1, Fldl2t, Fldl2e, Fldpi, Fldlg2, Fldln2, Fldz];
        for (int k = 0; k < constOps.Length; k++)
        {
            int index = k;
            t[constOps[k]] = e => CallImm(e, X87Helpers.Load, new X87Imm(X87Op.LoadConst, X87Operand.St, index));
        }
        t.Add(e => Call(e, X87Helpers.Store, X87Op.Store), Fst, Fist);
        t.Add(e => Call(e, X87Helpers.Store, X87Op.Store, pops: 1), Fstp, Fistp, Fstpnce);
        t[Fisttp] = e => Call(e, X87Helpers.Store, X87Op.StoreTrunc, pops: 1);
        t[Fbstp] = e => Call(e, X87Helpers.Store, X87Op.Store, pops: 1);

        t.Add(e => Call(e, X87Helpers.Compare, X87Op.Compare), Fcom, Ficom);
        t.Add(e => Call(e, X87Helpers.Compare, X87Op.Compare, pops: 1), Fcomp, Ficomp);
        // fcompp/fucompp have no explicit operand: they compare with ST(1).
        t[Fcompp] = e => CallImm(e, X87Helpers.Compare, new X87Imm(X87Op.Compare, X87Operand.St, 1, Pops: 2));
        t[Fucom] = e => Call(e, X87Helpers.Compare, X87Op.UCompare);
        t[Fucomp] = e => Call(e, X87Helpers.Compare, X87Op.UCompare, pops: 1);
        t[Fucompp] = e => CallImm(e, X87Helpers.Compare, new X87Imm(X87Op.UCompare, X87Operand.St, 1, Pops: 2));
        t[Ftst] = e => CallImm(e, X87Helpers.Compare, new X87Imm(X87Op.Compare, X87Operand.Zero));
        t[Fcomi] = e => Call(e, X87Helpers.Compare, X87Op.CompareI);
        t[Fcomip] = e => Call(e, X87Helpers.Compare, X87Op.CompareI, pops: 1);
        t[Fucomi] = e => Call(e, X87Helpers.Compare, X87Op.UCompareI);
        t[Fucomip] = e => Call(e, X87Helpers.Compare, X87Op.UCompareI, pops: 1);

        Unary(t, X87Op.Chs, Fchs);
        Unary(t, X87Op.Abs, Fabs);
        Unary(t, X87Op.Sqrt, Fsqrt);
        Unary(t, X87Op.RoundInt, Frndint);
        Unary(t, X87Op.Examine, Fxam);
        Unary(t, X87Op.Scale, Fscale);
        Unary(t, X87Op.Extract, Fxtract);
        Unary(t, X87Op.Rem, Fprem);
        Unary(t, X87Op.Rem1, Fprem1);
        Unary(t, X87Op.Sin, Fsin);
        Unary(t, X87Op.Cos, Fcos);
        Unary(t, X87Op.SinCos, Fsincos);
        Unary(t, X87Op.Tan, Fptan);
        Unary(t, X87Op.Atan, Fpatan);
        Unary(t, X87Op.F2xm1, F2xm1);
        Unary(t, X87Op.Yl2x, Fyl2x);
        Unary(t, X87Op.Yl2xp1, Fyl2xp1);

        t[Fxch] = e => Call(e, X87Helpers.Stack, X87Op.Exchange);
        t[Ffree] = e => Call(e, X87Helpers.Stack, X87Op.Free);
        t[Ffreep] = e => Call(e, X87Helpers.Stack, X87Op.Free, pops: 1);
        t[Fincstp] = e => Call(e, X87Helpers.Stack, X87Op.IncStp);
        t[Fdecstp] = e => Call(e, X87Helpers.Stack, X87Op.DecStp);
        t.Add(e => Call(e, X87Helpers.Stack, X87Op.Wait), Fnop, Wait);
        t[Fninit] = e => Call(e, X87Helpers.Stack, X87Op.Init, waits: false);
        t[Finit] = e => Call(e, X87Helpers.Stack, X87Op.Init);
        t[Fnclex] = e => Call(e, X87Helpers.Stack, X87Op.ClearEx, waits: false);
        t[Fclex] = e => Call(e, X87Helpers.Stack, X87Op.ClearEx);
        t[Fcmovb] = e => CMov(e, Cond.B);
        t[Fcmove] = e => CMov(e, Cond.E);
        t[Fcmovbe] = e => CMov(e, Cond.BE);
        t[Fcmovu] = e => CMov(e, Cond.P);
        t[Fcmovnb] = e => CMov(e, Cond.AE);
        t[Fcmovne] = e => CMov(e, Cond.NE);
        t[Fcmovnbe] = e => CMov(e, Cond.A);
        t[Fcmovnu] = e => CMov(e, Cond.NP);

        t[Fnstsw] = e => StoreSw(e, false);
        t[Fstsw] = e => StoreSw(e, true);
        // A plain 16-bit store of the control word: as a helper call, python3 left native code 90k times a run for it.
        t[Fnstcw] = e => e.B.Store(e.Ea(), e.B.LoadState(CpuState.OffFcw, 2), 2);
        t[Fstcw] = e => Call(e, X87Helpers.Control, X87Op.StoreCw);
        t[Fldcw] = LoadControlWord;
        t[Fnstenv] = e => Env(e, X87Op.StoreEnv, false);
        t[Fstenv] = e => Env(e, X87Op.StoreEnv, true);
        t[Fldenv] = e => Env(e, X87Op.LoadEnv, true);
        t[Fnsave] = e => Env(e, X87Op.Save, false);
        t[Fsave] = e => Env(e, X87Op.Save, true);
        t[Frstor] = e => Env(e, X87Op.Restore, true);

    }

    static void Arith(X86EmitterTable t, X87Op op, Mnemonic plain, Mnemonic popping, Mnemonic integer)
    {
        t.Add(e => Call(e, X87Helpers.Arith, op), plain, integer);
        t[popping] = e => Call(e, X87Helpers.Arith, op, pops: 1);
    }

    static void Unary(X86EmitterTable t, X87Op op, Mnemonic m) => t[m] = e => Call(e, X87Helpers.Unary, op);

    /// <summary>Kind of the instruction's memory operand, or null for a size the helpers do not handle.</summary>
    static X87Operand? MemoryKind(MemorySize size) => size switch
    {
        MemorySize.Float32 => X87Operand.M32Fp,
        MemorySize.Float64 => X87Operand.M64Fp,
        MemorySize.Float80 => X87Operand.M80Fp,
        MemorySize.Int16 => X87Operand.M16Int,
        MemorySize.Int32 => X87Operand.M32Int,
        MemorySize.Int64 => X87Operand.M64Int,
        MemorySize.Bcd => X87Operand.Bcd,
        _ => null,
    };

    /// <summary>Lowers an instruction with an optional memory operand or ST(i) operands to one helper call.</summary>
    static void Call(X86Emitter e, HelperFn fn, X87Op op, int pops = 0, bool waits = true)
    {
        var insn = e.Insn;
        X87Operand kind = X87Operand.St;
        int index = 0;
        bool destSti = false;
        bool mem = false;
        for (int n = 0; n < insn.OpCount; n++)
        {
            if (insn.GetOpKind(n) == OpKind.Memory)
            {
                mem = true;
                if (fn != X87Helpers.Control)
                {
                    if (MemoryKind(insn.MemorySize) is not { } k)
                    {
                        e.Unsupported();
                        return;
                    }
                    kind = k;
                }
            }
            else if (insn.GetOpKind(n) == OpKind.Register && insn.GetOpRegister(n) is >= Register.ST0 and <= Register.ST7)
            {
                int r = insn.GetOpRegister(n) - Register.ST0;
                if (r != 0 || n > 0) index = Math.Max(index, r);
                if (n == 0 && r != 0 && insn.OpCount > 1) destSti = true;
            }
        }
        CallImm(e, fn, new X87Imm(op, kind, index, destSti, pops, waits), mem);
    }

    static void CallImm(X86Emitter e, HelperFn fn, X87Imm imm, bool mem = false)
    {
        ushort ea = mem ? e.Ea() : (ushort)0;
        e.HelperImm(fn, imm.Pack(), ea, e.B.Const(e.Pc));
    }

    static void CMov(X86Emitter e, Cond cc)
    {
        int index = e.Insn.Op1Register - Register.ST0;
        ushort cond = e.Condition(cc);
        e.HelperImm(X87Helpers.Stack, new X87Imm(X87Op.CMov, X87Operand.St, index).Pack(), cond, e.B.Const(e.Pc));
    }

    // fldcw as IR (X87Helpers.Control's LoadCw): the wait for a pending exception (a helper native code inlines as a
    // test of FSW.ES), the load, and ES/B recomputed from the exceptions the new mask leaves unmasked. As one helper
    // call, python3 left native code 120k times a run for it (float to integer conversions set and restore FCW).
    static void LoadControlWord(X86Emitter e)
    {
        CallImm(e, X87Helpers.Stack, new X87Imm(X87Op.Wait, X87Operand.St));
        var b = e.B;
        ushort cw = b.Or(b.AndImm(b.Load(e.Ea(), 2), 0x1F3F), b.Const(0x40));
        b.StoreState(CpuState.OffFcw, 2, cw);
        ushort fsw = b.LoadState(CpuState.OffFsw, 2);
        ushort unmasked = b.And(b.AndImm(fsw, X87Status.Exceptions), b.Unary(IrOp.Not, cw));
        b.StoreState(CpuState.OffFsw, 2, b.Select(unmasked, b.Or(fsw, b.Const(X87Status.ES | X87Status.B)), b.AndImm(fsw, ~(X87Status.ES | X87Status.B) & 0xFFFF)));
    }

    static void StoreSw(X86Emitter e, bool waits)
    {
        if (e.IsReg(0)) CallImm(e, X87Helpers.Control, new X87Imm(X87Op.StoreSwAx, X87Operand.St, Waits: waits));
        else CallImm(e, X87Helpers.Control, new X87Imm(X87Op.StoreSw, X87Operand.St, Waits: waits), mem: true);
    }

    /// <summary>Environment and full-state forms: the 32-bit-operand-size layouts (28 and 108 bytes) and, with 0x66, the 16-bit ones (14 and 94 bytes, operand kind M16Int).</summary>
    static void Env(X86Emitter e, X87Op op, bool waits)
    {
        var kind = e.Insn.MemorySize switch
        {
            MemorySize.FpuEnv28 or MemorySize.FpuState108 => X87Operand.St,
            MemorySize.FpuEnv14 or MemorySize.FpuState94 => X87Operand.M16Int,
            _ => (X87Operand?)null,
        };
        if (kind == null)
        {
            e.Unsupported();
            return;
        }
        CallImm(e, X87Helpers.Control, new X87Imm(op, kind.Value, Waits: waits), mem: true);
    }
}
