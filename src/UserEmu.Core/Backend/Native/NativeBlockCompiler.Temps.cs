using Iced.Intel;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: temps in the frame and in rax, and immediates.
public sealed unsafe partial class NativeBlockCompiler
{
    // rax = rax `code` temp t: from its frame slot, or a constant through `scratch` (constants are not all in the frame).
    void Rm(Code code, ushort t, Register scratch)
    {
        if (t < _pure)
        {
            MovImm(scratch, _constants[t]);
            E(Instruction.Create(code, RAX, scratch));
        }
        else E(Instruction.Create(code, RAX, Temp(t)));
    }

    static bool Fits32(ulong v) => (long)v == (int)(long)v;

    static MemoryOperand Temp(ushort t) => new(RSI, t * 8);

    void LoadTemp(Register r64, ushort t)
    {
        if (_rax == t)
        {
            if (r64 != RAX) E(Instruction.Create(Code.Mov_r64_rm64, r64, RAX));
            return;
        }
        if (t < _pure) MovImm(r64, _constants[t]);
        else E(Instruction.Create(Code.Mov_r64_rm64, r64, Temp(t)));
        if (r64 == RAX) _rax = t;
    }

    // t = r64; with r64 = rax the store is left out when the next op alone reads t, from rax.
    void StoreTemp(ushort t, Register r64 = RAX)
    {
        if (r64 != RAX)
        {
            E(Instruction.Create(Code.Mov_rm64_r64, Temp(t), r64));
            _rax = -1;
            return;
        }
        _rax = t;
        if (!NextOpAloneTakesFromRax(t)) E(Instruction.Create(Code.Mov_rm64_r64, Temp(t), RAX));
    }

    bool NextOpAloneTakesFromRax(ushort t)
    {
        // A Load's or helper's result must be in the frame: their slow path writes it there and resumes after it.
        if (_uses[t] != 1 || _k + 1 >= _code.Length || _code[_k].Op is IrOp.Load or IrOp.Call or IrOp.PureCall) return false;
        ref readonly var next = ref _code[_k + 1];
        return next.A == t && TakesAFirst(next.Op);
    }

    // Ops whose code starts by loading A (LoadTemp), before anything else changes rax, and never hand A to the managed side.
    static bool TakesAFirst(IrOp op) => op is IrOp.Mov or IrOp.StoreState or IrOp.Add or IrOp.Sub or IrOp.And or IrOp.Or
        or IrOp.Xor or IrOp.Mul or IrOp.Shl or IrOp.Shr or IrOp.Sar or IrOp.Rol or IrOp.Ror or IrOp.MulHiU or IrOp.MulHiS
        or IrOp.Neg or IrOp.Not or IrOp.ZExt or IrOp.SExt or IrOp.Bswap or IrOp.CmpEq or IrOp.CmpNe or IrOp.CmpLtU
        or IrOp.CmpLeU or IrOp.CmpLtS or IrOp.CmpLeS or IrOp.Select or IrOp.JumpIndirect or IrOp.Branch;

    void MovImm(Register r64, ulong v)
    {
        if (r64 == RAX) _rax = -1;
        if (v <= uint.MaxValue) E(Instruction.Create(Code.Mov_r32_imm32, Low32(r64), (uint)v));
        else if (Fits32(v)) E(Instruction.Create(Code.Mov_rm64_imm32, r64, (int)(long)v));
        else E(Instruction.Create(Code.Mov_r64_imm64, r64, v));
    }

    static Register Low32(Register r64) => r64 switch
    {
        RAX => EAX,
        RCX => ECX,
        RDX => EDX,
        R11 => R11D,
        _ => throw new ArgumentException($"no 32-bit scratch for {r64}"),
    };
}
