using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using UserEmu.Memory;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

/// <summary>Translates a prepared block into x86-64 machine code, a few host instructions per IR op over temps kept in a frame, as QEMU's TCG emits a block: the native tier between the interpreter and RyuJIT regions.</summary>
/// <remarks>
/// Encoding costs microseconds per block where RyuJIT takes about 1.7 ms per region, so warm code that never gets hot
/// enough for a region (most of cc1 and python) stops paying the interpreter's ~30 ns per guest instruction.
/// <para>Register roles, set up by <see cref="NativeBlockRunner"/>'s entry stub: rdi = CpuState*, rsi = the temps,
/// r8 = host address of guest address 0, r9 = the guest page table, r10 = its page count; rax, rcx, rdx and r11 are
/// scratch. The runner fills the frame from the block's constant template, as the interpreter does; constant operands
/// are immediates where an instruction takes one.</para>
/// <para>The code returns in rax: -1 to continue at RIP, -2 for a system call, or (resume address &lt;&lt; 16 | op index)
/// when an op needs the managed side: a helper call, or a guest access whose inline page check failed. The runner
/// performs that op as the interpreter does (faults included) and re-enters at the resume address.</para>
/// </remarks>
public sealed unsafe class NativeBlockCompiler
{
    /// <summary>rax value: continue at the RIP the block stored.</summary>
    public const long ExitNext = -1;
    /// <summary>rax value: the block ended in a system call.</summary>
    public const long ExitSyscall = -2;

    [ThreadStatic] static NativeBlockCompiler? t_instance;

    readonly CodeBuffer _buf = new();
    readonly Encoder _enc;
    // Out-of-line exits to the managed side: the op and where to resume; jumps into them are patched at the end.
    readonly List<(int Op, int Resume)> _stubs = new();
    readonly List<(int At, int Stub)> _patches = new();
    ulong[] _constants = [];
    int _pure;

    NativeBlockCompiler() => _enc = Encoder.Create(64, _buf);

    /// <summary>Machine code for <paramref name="block"/> placed in executable memory, or null if the block has an op this tier does not take or the arena is full.</summary>
    public static byte* Compile(PreparedBlock block)
    {
        var c = t_instance ??= new NativeBlockCompiler();
        return c.Emit(block) ? NativeCodeArena.Place(c._buf.Bytes) : null;
    }

    bool Emit(PreparedBlock block)
    {
        if (block.Code.Length > ushort.MaxValue) return false;
        _buf.Clear();
        _stubs.Clear();
        _patches.Clear();
        _constants = block.Constants;
        _pure = block.PureConstants;
        var code = block.Code;
        for (int k = 0; k < code.Length; k++)
            if (!EmitOp(in code[k], k)) return false;
        foreach (var (at, stub) in _patches)
        {
            // Every stub is emitted after the main code; the jump's rel32 is its last four bytes.
            int target = _buf.Length + StubOffset(stub);
            _buf.Patch32(at, target - (at + 4));
        }
        int start = _buf.Length;
        for (int s = 0; s < _stubs.Count; s++)
        {
            var (op, resume) = _stubs[s];
            E(Instruction.Create(Code.Lea_r64_m, RAX, new MemoryOperand(RIP, (long)resume)));
            E(Instruction.Create(Code.Shl_rm64_imm8, RAX, 16));
            E(Instruction.Create(Code.Or_rm64_imm32, RAX, op));
            E(Instruction.Create(Code.Retnq));
            if (_buf.Length - start != (s + 1) * StubSize) throw new InvalidOperationException("native stub size changed");
        }
        return true;
    }

    // lea rax,[rip+d32] (7) + shl rax,16 (4) + or rax,imm32 (7) + ret (1); checked as the stubs are emitted.
    const int StubSize = 19;
    static int StubOffset(int stub) => stub * StubSize;

    bool EmitOp(in IrInstr i, int k)
    {
        switch (i.Op)
        {
            case IrOp.Const:
                if (Fits32((ulong)i.Imm)) E(Instruction.Create(Code.Mov_rm64_imm32, Temp(i.Dst), (int)i.Imm));
                else { MovImm(RAX, (ulong)i.Imm); StoreTemp(i.Dst); }
                return true;
            case IrOp.Mov:
                LoadTemp(RAX, i.A);
                StoreTemp(i.Dst);
                return true;
            case IrOp.LoadState:
            {
                var m = new MemoryOperand(RDI, i.Imm);
                E(i.Size switch
                {
                    1 => Instruction.Create(Code.Movzx_r32_rm8, EAX, m),
                    2 => Instruction.Create(Code.Movzx_r32_rm16, EAX, m),
                    4 => Instruction.Create(Code.Mov_r32_rm32, EAX, m),
                    _ => Instruction.Create(Code.Mov_r64_rm64, RAX, m),
                });
                StoreTemp(i.Dst);
                return true;
            }
            case IrOp.StoreState:
                LoadTemp(RAX, i.A);
                StoreSized(new MemoryOperand(RDI, i.Imm), i.Size, RAX);
                return true;
            case IrOp.Add: return Alu(i, Code.Add_r64_rm64, Code.Add_rm64_imm32);
            case IrOp.Sub: return Alu(i, Code.Sub_r64_rm64, Code.Sub_rm64_imm32);
            case IrOp.And: return Alu(i, Code.And_r64_rm64, Code.And_rm64_imm32);
            case IrOp.Or: return Alu(i, Code.Or_r64_rm64, Code.Or_rm64_imm32);
            case IrOp.Xor: return Alu(i, Code.Xor_r64_rm64, Code.Xor_rm64_imm32);
            case IrOp.Mul:
                LoadTemp(RAX, i.A);
                E(Instruction.Create(Code.Imul_r64_rm64, RAX, Temp(i.B)));
                StoreTemp(i.Dst);
                return true;
            case IrOp.Shl: return Shift(i, Code.Shl_rm64_CL, Code.Shl_rm64_imm8);
            case IrOp.Shr: return Shift(i, Code.Shr_rm64_CL, Code.Shr_rm64_imm8);
            case IrOp.Sar: return Shift(i, Code.Sar_rm64_CL, Code.Sar_rm64_imm8);
            case IrOp.Rol: return Rotate(i, left: true);
            case IrOp.Ror: return Rotate(i, left: false);
            case IrOp.MulHiU:
            case IrOp.MulHiS:
                LoadTemp(RAX, i.A);
                LoadTemp(RCX, i.B);
                E(Instruction.Create(i.Op == IrOp.MulHiU ? Code.Mul_rm64 : Code.Imul_rm64, RCX));
                StoreTemp(i.Dst, RDX);
                return true;
            case IrOp.Neg:
            case IrOp.Not:
                LoadTemp(RAX, i.A);
                E(Instruction.Create(i.Op == IrOp.Neg ? Code.Neg_rm64 : Code.Not_rm64, RAX));
                StoreTemp(i.Dst);
                return true;
            case IrOp.ZExt:
            case IrOp.SExt:
            case IrOp.Bswap:
                return Unary(i);
            case IrOp.CmpEq: return Compare(i, Code.Sete_rm8);
            case IrOp.CmpNe: return Compare(i, Code.Setne_rm8);
            case IrOp.CmpLtU: return Compare(i, Code.Setb_rm8);
            case IrOp.CmpLeU: return Compare(i, Code.Setbe_rm8);
            case IrOp.CmpLtS: return Compare(i, Code.Setl_rm8);
            case IrOp.CmpLeS: return Compare(i, Code.Setle_rm8);
            case IrOp.Select:
                LoadTemp(RAX, i.C);
                LoadTemp(RCX, i.A);
                E(Instruction.Create(Code.Test_rm64_r64, RCX, RCX));
                E(Instruction.Create(Code.Cmovne_r64_rm64, RAX, Temp(i.B)));
                StoreTemp(i.Dst);
                return true;
            case IrOp.Load:
                return GuestAccess(i, k, store: false);
            case IrOp.Store:
                return GuestAccess(i, k, store: true);
            case IrOp.Call:
            case IrOp.PureCall:
            {
                int stub = NewStub(k);
                JumpToStub(Code.Jmp_rel32_64, stub);
                ResumeHere(stub);
                return true;
            }
            case IrOp.Jump:
                MovImm(RAX, (ulong)i.Imm);
                return Exit(ExitNext);
            case IrOp.JumpIndirect:
                LoadTemp(RAX, i.A);
                return Exit(ExitNext);
            case IrOp.Branch:
                if (i.A < _pure)
                    MovImm(RAX, (ulong)(_constants[i.A] != 0 ? i.Imm : i.Imm2));
                else
                {
                    MovImm(RAX, (ulong)i.Imm);
                    MovImm(RDX, (ulong)i.Imm2);
                    E(Instruction.Create(Code.Cmp_rm64_imm8, Temp(i.A), 0));
                    E(Instruction.Create(Code.Cmove_r64_rm64, RAX, RDX));
                }
                return Exit(ExitNext);
            case IrOp.Syscall:
                MovImm(RAX, (ulong)i.Imm);
                return Exit(ExitSyscall);
            default:
                return false;
        }
    }

    // RIP = rax, then return `code` to the runner.
    bool Exit(long code)
    {
        E(Instruction.Create(Code.Mov_rm64_r64, new MemoryOperand(RDI, CpuState.OffRip), RAX));
        E(Instruction.Create(Code.Mov_rm64_imm32, RAX, (int)code));
        E(Instruction.Create(Code.Retnq));
        return true;
    }

    bool Alu(in IrInstr i, Code rm, Code imm)
    {
        LoadTemp(RAX, i.A);
        if (i.B < _pure && Fits32(_constants[i.B])) E(Instruction.Create(imm, RAX, (int)_constants[i.B]));
        else E(Instruction.Create(rm, RAX, Temp(i.B)));
        StoreTemp(i.Dst);
        return true;
    }

    bool Shift(in IrInstr i, Code byCl, Code byImm)
    {
        LoadTemp(RAX, i.A);
        if (i.B < _pure) E(Instruction.Create(byImm, RAX, (int)(_constants[i.B] & 63)));
        else
        {
            LoadTemp(RCX, i.B);
            E(Instruction.Create(byCl, RAX, CL));
        }
        StoreTemp(i.Dst);
        return true;
    }

    // Rotates the low Size bytes; the result is zero-extended (IrSemantics.Rol/Ror).
    bool Rotate(in IrInstr i, bool left)
    {
        var (reg, byCl, byImm, mask) = i.Size switch
        {
            1 => (AL, left ? Code.Rol_rm8_CL : Code.Ror_rm8_CL, left ? Code.Rol_rm8_imm8 : Code.Ror_rm8_imm8, 7),
            2 => (AX, left ? Code.Rol_rm16_CL : Code.Ror_rm16_CL, left ? Code.Rol_rm16_imm8 : Code.Ror_rm16_imm8, 15),
            4 => (EAX, left ? Code.Rol_rm32_CL : Code.Ror_rm32_CL, left ? Code.Rol_rm32_imm8 : Code.Ror_rm32_imm8, 31),
            _ => (RAX, left ? Code.Rol_rm64_CL : Code.Ror_rm64_CL, left ? Code.Rol_rm64_imm8 : Code.Ror_rm64_imm8, 63),
        };
        LoadTemp(RAX, i.A);
        if (i.B < _pure) E(Instruction.Create(byImm, reg, (int)(_constants[i.B] & (ulong)mask)));
        else
        {
            LoadTemp(RCX, i.B);
            E(Instruction.Create(byCl, reg, CL));
        }
        switch (i.Size)
        {
            case 1: E(Instruction.Create(Code.Movzx_r32_rm8, EAX, AL)); break;
            case 2: E(Instruction.Create(Code.Movzx_r32_rm16, EAX, AX)); break;
            // A rotate by 0 need not clear bits 63..32.
            case 4: E(Instruction.Create(Code.Mov_r32_rm32, EAX, EAX)); break;
        }
        StoreTemp(i.Dst);
        return true;
    }

    bool Unary(in IrInstr i)
    {
        if (i.A < _pure)
        {
            MovImm(RAX, IrEval.Unary(i.Op, _constants[i.A], i.Size));
            StoreTemp(i.Dst);
            return true;
        }
        var a = Temp(i.A);
        switch (i.Op, i.Size)
        {
            case (IrOp.ZExt, 1): E(Instruction.Create(Code.Movzx_r32_rm8, EAX, a)); break;
            case (IrOp.ZExt, 2): E(Instruction.Create(Code.Movzx_r32_rm16, EAX, a)); break;
            case (IrOp.ZExt, 4): E(Instruction.Create(Code.Mov_r32_rm32, EAX, a)); break;
            case (IrOp.SExt, 1): E(Instruction.Create(Code.Movsx_r64_rm8, RAX, a)); break;
            case (IrOp.SExt, 2): E(Instruction.Create(Code.Movsx_r64_rm16, RAX, a)); break;
            case (IrOp.SExt, 4): E(Instruction.Create(Code.Movsxd_r64_rm32, RAX, a)); break;
            case (IrOp.Bswap, 2):
                E(Instruction.Create(Code.Movzx_r32_rm16, EAX, a));
                E(Instruction.Create(Code.Rol_rm16_imm8, AX, 8));
                break;
            case (IrOp.Bswap, 4):
                E(Instruction.Create(Code.Mov_r32_rm32, EAX, a));
                E(Instruction.Create(Code.Bswap_r32, EAX));
                break;
            case (IrOp.Bswap, _):
                E(Instruction.Create(Code.Mov_r64_rm64, RAX, a));
                E(Instruction.Create(Code.Bswap_r64, RAX));
                break;
            default: E(Instruction.Create(Code.Mov_r64_rm64, RAX, a)); break;
        }
        StoreTemp(i.Dst);
        return true;
    }

    bool Compare(in IrInstr i, Code setcc)
    {
        LoadTemp(RAX, i.A);
        if (i.B < _pure && Fits32(_constants[i.B])) E(Instruction.Create(Code.Cmp_rm64_imm32, RAX, (int)_constants[i.B]));
        else E(Instruction.Create(Code.Cmp_r64_rm64, RAX, Temp(i.B)));
        E(Instruction.Create(setcc, AL));
        E(Instruction.Create(Code.Movzx_r32_rm8, EAX, AL));
        StoreTemp(i.Dst);
        return true;
    }

    // A guest load or store: the page-table check of GuestAddressSpace.FastCheck/FastWrite inline, the access through
    // r8; any failed check leaves to the managed side, which performs the access checked (and raises its fault).
    bool GuestAccess(in IrInstr i, int k, bool store)
    {
        if (i.Size is not (1 or 2 or 4 or 8)) return false;
        int stub = NewStub(k);
        LoadTemp(RAX, i.A);
        E(Instruction.Create(Code.Mov_r64_rm64, RCX, RAX));
        E(Instruction.Create(Code.Shr_rm64_imm8, RCX, GuestAddressSpace.PageShift));
        E(Instruction.Create(Code.Cmp_r64_rm64, RCX, R10));
        JumpToStub(Code.Jae_rel32_64, stub);
        if (i.Size > 1)
        {
            E(Instruction.Create(Code.Mov_r32_rm32, EDX, EAX));
            E(Instruction.Create(Code.And_rm32_imm32, EDX, (int)GuestAddressSpace.PageMask));
            E(Instruction.Create(Code.Cmp_rm32_imm32, EDX, (int)GuestAddressSpace.PageSize - i.Size));
            JumpToStub(Code.Ja_rel32_64, stub);
        }
        var flags = new MemoryOperand(R9, RCX, 1, 0, 0);
        var host = new MemoryOperand(R8, RAX, 1, 0, 0);
        if (store)
        {
            // Writable and not holding translated code (a write there must invalidate it: the managed path does).
            E(Instruction.Create(Code.Movzx_r32_rm8, EDX, flags));
            E(Instruction.Create(Code.And_rm32_imm8, EDX, (int)(PageFlags.Write | PageFlags.HasCode)));
            E(Instruction.Create(Code.Cmp_rm32_imm8, EDX, (int)PageFlags.Write));
            JumpToStub(Code.Jne_rel32_64, stub);
            LoadTemp(RCX, i.B);
            StoreSized(host, i.Size, RCX);
        }
        else
        {
            E(Instruction.Create(Code.Test_rm8_imm8, flags, (int)PageFlags.Read));
            JumpToStub(Code.Je_rel32_64, stub);
            E(i.Size switch
            {
                1 => Instruction.Create(Code.Movzx_r32_rm8, EAX, host),
                2 => Instruction.Create(Code.Movzx_r32_rm16, EAX, host),
                4 => Instruction.Create(Code.Mov_r32_rm32, EAX, host),
                _ => Instruction.Create(Code.Mov_r64_rm64, RAX, host),
            });
            StoreTemp(i.Dst);
        }
        ResumeHere(stub);
        return true;
    }

    void StoreSized(MemoryOperand m, int size, Register r64)
    {
        var (code, reg) = size switch
        {
            1 => (Code.Mov_rm8_r8, r64 == RAX ? AL : CL),
            2 => (Code.Mov_rm16_r16, r64 == RAX ? AX : CX),
            4 => (Code.Mov_rm32_r32, r64 == RAX ? EAX : ECX),
            _ => (Code.Mov_rm64_r64, r64),
        };
        E(Instruction.Create(code, m, reg));
    }

    int NewStub(int op)
    {
        _stubs.Add((op, -1));
        return _stubs.Count - 1;
    }

    void ResumeHere(int stub) => _stubs[stub] = (_stubs[stub].Op, _buf.Length);

    void JumpToStub(Code jcc, int stub)
    {
        // Encoded with a dummy target (the rel32 form always); patched once the stubs' offsets are known.
        E(Instruction.CreateBranch(jcc, (ulong)_buf.Length));
        _patches.Add((_buf.Length - 4, stub));
    }

    static bool Fits32(ulong v) => (long)v == (int)(long)v;

    static MemoryOperand Temp(ushort t) => new(RSI, t * 8);

    void LoadTemp(Register r64, ushort t)
    {
        if (t < _pure) MovImm(r64, _constants[t]);
        else E(Instruction.Create(Code.Mov_r64_rm64, r64, Temp(t)));
    }

    void StoreTemp(ushort t, Register r64 = RAX) => E(Instruction.Create(Code.Mov_rm64_r64, Temp(t), r64));

    void MovImm(Register r64, ulong v)
    {
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

    void E(in Instruction i) => _enc.Encode(i, (ulong)_buf.Length);

    /// <summary>Growable byte buffer the encoder writes into (reused per thread: no allocation per block once warm).</summary>
    sealed class CodeBuffer : CodeWriter
    {
        byte[] _bytes = new byte[4096];
        public int Length;

        public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, Length);

        public void Clear() => Length = 0;

        public override void WriteByte(byte value)
        {
            if (Length == _bytes.Length) Array.Resize(ref _bytes, _bytes.Length * 2);
            _bytes[Length++] = value;
        }

        public void Patch32(int at, int value) => System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(_bytes.AsSpan(at), value);
    }
}
