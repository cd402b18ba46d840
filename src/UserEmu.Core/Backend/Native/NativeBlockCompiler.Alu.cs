using Iced.Intel;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: two-operand ALU ops (add, sub, and, or, xor, imul), computed in their result's register.
public sealed unsafe partial class NativeBlockCompiler
{
    // An op's host forms: reg, r/m and r/m, imm32 in 64 and 32 bits (Code.INVALID: no immediate form).
    readonly record struct AluCodes(Code Rm64, Code Imm64, Code Rm32, Code Imm32);

    static readonly AluCodes s_add = new(Code.Add_r64_rm64, Code.Add_rm64_imm32, Code.Add_r32_rm32, Code.Add_rm32_imm32);
    static readonly AluCodes s_sub = new(Code.Sub_r64_rm64, Code.Sub_rm64_imm32, Code.Sub_r32_rm32, Code.Sub_rm32_imm32);
    static readonly AluCodes s_and = new(Code.And_r64_rm64, Code.And_rm64_imm32, Code.And_r32_rm32, Code.And_rm32_imm32);
    static readonly AluCodes s_or = new(Code.Or_r64_rm64, Code.Or_rm64_imm32, Code.Or_r32_rm32, Code.Or_rm32_imm32);
    static readonly AluCodes s_xor = new(Code.Xor_r64_rm64, Code.Xor_rm64_imm32, Code.Xor_r32_rm32, Code.Xor_rm32_imm32);
    static readonly AluCodes s_imul = new(Code.Imul_r64_rm64, Code.INVALID, Code.Imul_r32_rm32, Code.INVALID);

    static AluCodes AluCodesOf(IrOp op) => op switch
    {
        IrOp.Add => s_add,
        IrOp.Sub => s_sub,
        IrOp.And => s_and,
        IrOp.Or => s_or,
        IrOp.Xor => s_xor,
        _ => s_imul,
    };

    // dst = a op b. The result goes straight into its temp's register where it has one (no trip through rax), and an
    // op whose result only a zero-extension from 32 bits reads (32-bit guest arithmetic: add64 then zext32) is the
    // host's 32-bit op, which zero-extends, and performs the zext too: the low 32 bits of the sum, difference, product
    // and bitwise ops depend only on the operands' low 32 bits.
    bool Alu(in IrInstr i, in AluCodes codes)
    {
        ushort a = i.A, b = i.B;
        bool commutes = i.Op is not IrOp.Sub;
        // x op constant takes an immediate, so a constant first operand of a commuting op goes second; and a second
        // operand left in rax by the previous op is taken first.
        if (commutes && ((a < _pure && b >= _pure) || TakesBFirst(_k))) (a, b) = (b, a);
        ushort dst = i.Dst;
        int defined = _k;
        bool narrow = _k + 1 < _n && _code[_k + 1] is { Op: IrOp.ZExt, Size: 4 } z && z.A == dst && _uses[dst] == 1;
        if (narrow)
        {
            _fusedNext = _k + 1;
            defined = _k + 1;
            dst = _code[defined].Dst;
        }
        var (rm, imm) = narrow ? (codes.Rm32, codes.Imm32) : (codes.Rm64, codes.Imm64);
        var target = ResultRegister(dst, defined);
        if (target != RAX)
        {
            var ra = Where(a);
            // The result's register may be one an operand dying here held: computed there, that operand is read first.
            if (Where(b) == target && ra != target)
            {
                if (commutes) (a, b, ra) = (b, a, target);
                else target = RAX;
            }
            if (target != RAX && i.Op is IrOp.Add or IrOp.Sub && b < _pure && ra != Register.None && ra != target)
            {
                // A register plus a constant (addresses, stack pointer updates): one lea.
                long c = i.Op == IrOp.Sub ? -(long)_constants[b] : (long)_constants[b];
                if (narrow) c = (int)c;
                if (c is >= int.MinValue and <= int.MaxValue)
                {
                    E(Instruction.Create(narrow ? Code.Lea_r32_m : Code.Lea_r64_m, narrow ? Low32(target) : target, new MemoryOperand(ra, c)));
                    Defined(dst, defined);
                    return true;
                }
            }
            if (target != RAX)
            {
                if (ra != target) MoveInto(target, a, narrow);
                OperateWith(rm, imm, target, b, narrow);
                Defined(dst, defined);
                return true;
            }
        }
        LoadTemp(RAX, a);
        OperateWith(rm, imm, RAX, b, narrow, fromRax: false);
        _k = defined;
        StoreTemp(dst);
        return true;
    }

    // The register op `defined` computes its result dst in: dst's own where it has one that the next op does not take
    // from rax (rax then stays as it is), else rax.
    Register ResultRegister(ushort dst, int defined) =>
        _reg[dst] != Register.None && !NextOpAloneTakes(defined, dst) ? _reg[dst] : RAX;

    // Where temp t is now besides its frame slot: its register, rax, or None (the frame only, or a constant).
    Register Where(ushort t) => t < _pure ? Register.None : _reg[t] != Register.None ? _reg[t] : _rax == t ? RAX : Register.None;

    // target = t (its low 32 bits, zero-extended, when narrow).
    void MoveInto(Register target, ushort t, bool narrow)
    {
        if (t < _pure)
        {
            MovImm(target, narrow ? (uint)_constants[t] : _constants[t]);
            return;
        }
        var from = Where(t);
        if (from != RAX) CheckInFrame(t);
        if (from == Register.None) E(narrow ? Instruction.Create(Code.Mov_r32_rm32, Low32(target), Temp(t)) : Instruction.Create(Code.Mov_r64_rm64, target, Temp(t)));
        else E(narrow ? Instruction.Create(Code.Mov_r32_rm32, Low32(target), Low32(from)) : Instruction.Create(Code.Mov_r64_rm64, target, from));
    }

    // target = target op t: t as an immediate, from its register (or rax, unless fromRax is false: rax is the target), or its frame slot.
    void OperateWith(Code rm, Code imm, Register target, ushort t, bool narrow, bool fromRax = true)
    {
        var op = narrow ? Low32(target) : target;
        if (t < _pure)
        {
            ulong c = _constants[t];
            if (imm != Code.INVALID && (narrow || Fits32(c)))
            {
                E(Instruction.Create(imm, op, (int)c));
                return;
            }
            MovImm(RCX, c);
            E(Instruction.Create(rm, op, narrow ? ECX : RCX));
            return;
        }
        var from = fromRax ? Where(t) : _reg[t];
        if (from != RAX) CheckInFrame(t);
        if (from == Register.None) E(Instruction.Create(rm, op, Temp(t)));
        else E(Instruction.Create(rm, op, narrow ? Low32(from) : from));
    }

    // The result of op `defined` is in its register now (rax, untouched, no longer holds it if it did).
    void Defined(ushort dst, int defined)
    {
        if (_rax == dst) _rax = -1;
        _k = defined;
    }
}
