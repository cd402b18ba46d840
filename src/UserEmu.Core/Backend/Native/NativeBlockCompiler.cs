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
/// scratch. The block's body first stores the constants of its template that the managed side may read; constant
/// operands are immediates where an instruction takes one.</para>
/// <para>The code returns rax:rdx. rax = -1 to continue at RIP (rdx: the link slot of the direct exit taken, or 0),
/// -2 for a system call, or (resume address &lt;&lt; 16 | op index) with rdx = the block's id in its
/// <see cref="NativeCodeArena"/> when an op needs the managed side: a helper call, or a guest access whose inline page check failed. The runner
/// performs that op as the interpreter does (faults included) and re-enters at the resume address.</para>
/// <para>Chaining (QEMU's goto_tb): a direct exit jumps through its link slot, which the dispatcher points at the
/// target's chain entry once the target has native code. The chain entry counts the run and returns to the dispatcher
/// once the count reaches the region threshold (so hot blocks still become regions) or the block was invalidated
/// (<see cref="Poisoned"/>). Each chained jump spends one unit of the runner's budget (the word below the temps),
/// so native code returns to managed code, where GC, signals and fork's stop-the-world are served, every
/// <see cref="NativeBlockRunner.ChainBudget"/> blocks.</para>
/// </remarks>
public sealed unsafe class NativeBlockCompiler
{
    /// <summary>rax value: continue at the RIP the block stored.</summary>
    public const long ExitNext = -1;
    /// <summary>rax value: the block ended in a system call.</summary>
    public const long ExitSyscall = -2;
    /// <summary>A run count at or above every threshold: an invalidated block's chain entry always leaves.</summary>
    public const uint Poisoned = 0x8000_0000;

    [ThreadStatic] static NativeBlockCompiler? t_instance;

    readonly CodeBuffer _buf = new();
    readonly Encoder _enc;
    // Forward references (jumps, RIP-relative operands) whose rel32 is the instruction's last four bytes.
    readonly List<int> _labels = new();
    readonly List<(int At, int Label)> _patches = new();
    // Out-of-line exits, emitted after the main code: (op, resume label) for the managed side; (target, slot label, link label) for direct exits.
    readonly List<(int Op, int Resume, int Label)> _slowStubs = new();
    readonly List<(ulong Target, int Slot, int Link, int Budget)> _exits = new();
    ulong[] _constants = [];
    int _pure, _id;
    // The temp whose value rax holds (-1: none known), reads per temp, and the op being emitted: a temp read only by
    // the next op, which takes it from rax, is never stored (the frame round trip is a store-forwarding stall).
    int _rax = -1, _k;
    int[] _uses = new int[NativeBlockRunner.FrameTemps];
    IrInstr[] _code = [];
    bool _chain;

    NativeBlockCompiler() => _enc = Encoder.Create(64, _buf);

    /// <summary>Machine code for <paramref name="block"/> in <paramref name="arena"/>, or null if the block has an op this tier does not take, too many temps, or the arena is full.</summary>
    /// <param name="chain">Direct exits go through link slots (off when every block must come back to the dispatcher: -d exec).</param>
    /// <param name="regionThreshold">Count at which the chain entry leaves to the dispatcher, which compiles the region; each run counts <see cref="RunWeight"/>.</param>
    /// <param name="jumps">The process's table for indirect jumps (null: they return to the dispatcher).</param>
    public static NativeCode? Compile(PreparedBlock block, NativeCodeArena arena, bool chain = false, int regionThreshold = int.MaxValue, NativeJumpTable? jumps = null)
    {
        if (block.TempCount > NativeBlockRunner.FrameTemps || block.Code.Length > ushort.MaxValue) return null;
        var c = t_instance ??= new NativeBlockCompiler();
        uint* counter = arena.NewCounter();
        if (counter == null) return null;
        int id = arena.AddBlock(block);
        c._jumps = chain ? jumps : null;
        uint weight = RunWeight(block);
        if (!c.Emit(block, id, chain, counter, weight, regionThreshold < 0 ? int.MaxValue : (uint)regionThreshold)) return null;
        byte* at = arena.Place(c._buf.Bytes);
        if (at == null) return null;
        // Link slots start out pointing at their own exit's return path (absolute addresses: known only now).
        foreach (var (_, slot, link, _) in c._exits)
            *(byte**)(at + c._labels[slot]) = at + c._labels[link];
        return new NativeCode(at, at + c._chainOffset, at + c._bodyOffset, counter, weight);
    }

    int _chainOffset, _bodyOffset;
    NativeJumpTable? _jumps;

    bool Emit(PreparedBlock block, int id, bool chain, uint* counter, uint weight, uint regionThreshold)
    {
        _buf.Clear();
        _labels.Clear();
        _patches.Clear();
        _slowStubs.Clear();
        _exits.Clear();
        _plainExitUsed = false;
        _constants = block.Constants;
        _pure = block.PureConstants;
        _id = id;
        _chain = chain;
        var code = block.Code;

        // Indirect entry: reached through a possibly stale jump table entry, so check that RIP is this block.
        int leave = NewLabel(), fill = NewLabel();
        MovImm(RAX, block.GuestPc);
        E(Instruction.Create(Code.Cmp_rm64_r64, new MemoryOperand(RDI, CpuState.OffRip), RAX));
        JumpTo(Code.Jne_rel32_64, fill);
        // Chain entry: count the run; leave for the dispatcher (RIP = this block) once hot or invalidated.
        _chainOffset = _buf.Length;
        E(Instruction.Create(Code.Mov_r64_imm64, R11, (ulong)counter));
        E(Instruction.Create(Code.Add_rm32_imm32, new MemoryOperand(R11), (int)weight));
        E(Instruction.Create(Code.Cmp_rm32_imm32, new MemoryOperand(R11), unchecked((int)regionThreshold)));
        JumpTo(Code.Jae_rel32_64, leave);
        _bodyOffset = _buf.Length;
        StoreTemplate(block);
        _code = code;
        Array.Clear(_uses, 0, block.TempCount);
        foreach (ref readonly var i in code.AsSpan())
        {
            int n = Optimizer.DeadTemps.TempOperands(i.Op);
            if (n >= 1) _uses[i.A]++;
            if (n >= 2) _uses[i.B]++;
            if (n >= 3) _uses[i.C]++;
        }
        _rax = -1;
        for (int k = 0; k < code.Length; k++)
        {
            _k = k;
            if (!EmitOp(in code[k], k)) return false;
        }

        Bind(leave);
        MovImm(RAX, block.GuestPc);
        ReturnNext(unlinked: true);
        Bind(fill);
        E(Instruction.Create(Code.Mov_r32_imm32, EDX, (uint)NativeJumpTable.FillRequest));
        E(Instruction.Create(Code.Mov_rm64_imm32, RAX, (int)ExitNext));
        E(Instruction.Create(Code.Retnq));
        if (_plainExitUsed)
        {
            Bind(_plainExit);
            E(Instruction.Create(Code.Xor_r32_rm32, EDX, EDX));
            E(Instruction.Create(Code.Mov_rm64_imm32, RAX, (int)ExitNext));
            E(Instruction.Create(Code.Retnq));
        }
        foreach (var (op, resume, label) in _slowStubs)
        {
            Bind(label);
            E(Instruction.Create(Code.Lea_r64_m, RAX, new MemoryOperand(RIP, 0L)));
            _patches.Add((_buf.Length - 4, resume));
            E(Instruction.Create(Code.Shl_rm64_imm8, RAX, 16));
            E(Instruction.Create(Code.Or_rm64_imm32, RAX, op));
            E(Instruction.Create(Code.Mov_r32_imm32, EDX, (uint)_id));
            E(Instruction.Create(Code.Retnq));
        }
        foreach (var (target, slot, link, budget) in _exits)
        {
            // Out of budget: back to the runner, unlinked.
            Bind(budget);
            MovImm(RAX, target);
            ReturnNext(unlinked: true);
            // Not linked yet: back to the dispatcher with the slot, which it points at the target's chain entry.
            Bind(link);
            MovImm(RAX, target);
            E(Instruction.Create(Code.Mov_rm64_r64, new MemoryOperand(RDI, CpuState.OffRip), RAX));
            E(Instruction.Create(Code.Lea_r64_m, RDX, new MemoryOperand(RIP, 0L)));
            _patches.Add((_buf.Length - 4, slot));
            E(Instruction.Create(Code.Mov_rm64_imm32, RAX, (int)ExitNext));
            E(Instruction.Create(Code.Retnq));
        }
        while ((_buf.Length & 7) != 0) _buf.WriteByte(0xcc);
        foreach (var (_, slot, _, _) in _exits)
        {
            Bind(slot);
            for (int b = 0; b < 8; b++) _buf.WriteByte(0);
        }
        foreach (var (at, label) in _patches)
            _buf.Patch32(at, _labels[label] - (at + 4));
        return true;
    }

    // The template's values that something other than this code may read: constants operands of ops the managed side
    // performs, and the temps read before they are written (zero).
    void StoreTemplate(PreparedBlock block)
    {
        int n = block.Constants.Length;
        if (n == 0) return;
        Span<bool> needed = n <= 1024 ? stackalloc bool[n] : new bool[n];
        needed.Clear();
        for (int t = _pure; t < n; t++) needed[t] = true;
        foreach (ref readonly var i in block.Code.AsSpan())
        {
            if (i.Op is not (IrOp.Load or IrOp.Store or IrOp.Call or IrOp.PureCall)) continue;
            if (i.A < n) needed[i.A] = true;
            if (i.B < n && i.Op != IrOp.Load) needed[i.B] = true;
            if (i.C < n && i.Op == IrOp.PureCall) needed[i.C] = true;
        }
        for (int t = 0; t < n; t++)
        {
            if (!needed[t]) continue;
            ulong v = block.Constants[t];
            if (Fits32(v)) E(Instruction.Create(Code.Mov_rm64_imm32, Temp((ushort)t), (int)(long)v));
            else
            {
                MovImm(RAX, v);
                E(Instruction.Create(Code.Mov_rm64_r64, Temp((ushort)t), RAX));
            }
        }
    }

    /// <summary>What one run of the block adds to its count: helper calls leave native code for the runner and back, so
    /// a block that makes them reaches its region (where they are direct calls) sooner.</summary>
    /// <remarks>nbody's inner loop is SSE helpers: at weight 1 it ran 200000 times through the runner before its region
    /// existed (harness 1.32 s -> 1.64 s when the region threshold went 5000 -> 200000). 40 per call made python's
    /// helper-calling blocks compile too (282 regions instead of 210, slower); 8 per call keeps both.</remarks>
    public static uint RunWeight(PreparedBlock block)
    {
        uint calls = 0;
        foreach (ref readonly var i in block.Code.AsSpan())
            if (i.Op is IrOp.Call or IrOp.PureCall) calls++;
        return Math.Min(1 + 8 * calls, 1024);
    }

    bool EmitOp(in IrInstr i, int k)
    {
        switch (i.Op)
        {
            case IrOp.Const:
                if (_rax == i.Dst) _rax = -1;
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
                Rm(Code.Imul_r64_rm64, i.B, RCX);
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
                LoadTemp(RCX, i.A);
                E(Instruction.Create(Code.Test_rm64_r64, RCX, RCX));
                LoadTemp(RAX, i.C);
                Rm(Code.Cmovne_r64_rm64, i.B, RDX);
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
                JumpTo(Code.Jmp_rel32_64, stub);
                ResumeHere(k);
                return true;
            }
            case IrOp.Jump:
                DirectExit((ulong)i.Imm);
                return true;
            case IrOp.JumpIndirect:
                LoadTemp(RAX, i.A);
                if (_jumps == null)
                {
                    ReturnNext(unlinked: true);
                    return true;
                }
                // RIP = target, then through the jump table while the budget lasts.
                E(Instruction.Create(Code.Mov_rm64_r64, new MemoryOperand(RDI, CpuState.OffRip), RAX));
                E(Instruction.Create(Code.Dec_rm32, new MemoryOperand(RSI, -8)));
                PlainExitIf(Code.Je_rel32_64);
                E(Instruction.Create(Code.Mov_r64_rm64, RCX, RAX));
                E(Instruction.Create(Code.Shr_rm64_imm8, RCX, NativeJumpTable.Bits));
                E(Instruction.Create(Code.Xor_r64_rm64, RCX, RAX));
                E(Instruction.Create(Code.And_rm32_imm32, ECX, (1 << NativeJumpTable.Bits) - 1));
                E(Instruction.Create(Code.Mov_r64_imm64, R11, (ulong)_jumps.Entries));
                E(Instruction.Create(Code.Jmp_rm64, new MemoryOperand(R11, RCX, 8, 0, 0)));
                return true;
            case IrOp.Branch:
                if (i.A < _pure)
                    DirectExit((ulong)(_constants[i.A] != 0 ? i.Imm : i.Imm2));
                else if (!_chain)
                {
                    LoadTemp(RCX, i.A);
                    E(Instruction.Create(Code.Test_rm64_r64, RCX, RCX));
                    MovImm(RAX, (ulong)i.Imm);
                    MovImm(RDX, (ulong)i.Imm2);
                    E(Instruction.Create(Code.Cmove_r64_rm64, RAX, RDX));
                    ReturnNext(unlinked: true);
                }
                else
                {
                    int taken = NewLabel();
                    LoadTemp(RCX, i.A);
                    E(Instruction.Create(Code.Test_rm64_r64, RCX, RCX));
                    JumpTo(Code.Jne_rel32_64, taken);
                    DirectExit((ulong)i.Imm2);
                    Bind(taken);
                    DirectExit((ulong)i.Imm);
                }
                return true;
            case IrOp.Syscall:
                MovImm(RAX, (ulong)i.Imm);
                E(Instruction.Create(Code.Mov_rm64_r64, new MemoryOperand(RDI, CpuState.OffRip), RAX));
                E(Instruction.Create(Code.Xor_r32_rm32, EDX, EDX));
                E(Instruction.Create(Code.Mov_rm64_imm32, RAX, (int)ExitSyscall));
                E(Instruction.Create(Code.Retnq));
                return true;
            default:
                return false;
        }
    }

    // RIP = rax, then back to the runner with no link slot.
    void ReturnNext(bool unlinked)
    {
        E(Instruction.Create(Code.Mov_rm64_r64, new MemoryOperand(RDI, CpuState.OffRip), RAX));
        if (unlinked) E(Instruction.Create(Code.Xor_r32_rm32, EDX, EDX));
        E(Instruction.Create(Code.Mov_rm64_imm32, RAX, (int)ExitNext));
        E(Instruction.Create(Code.Retnq));
    }

    // Back to the runner with RIP already stored and no link slot, if the flags say `jcc`.
    void PlainExitIf(Code jcc)
    {
        if (!_plainExitUsed)
        {
            _plainExit = NewLabel();
            _plainExitUsed = true;
        }
        JumpTo(jcc, _plainExit);
    }

    int _plainExit;
    bool _plainExitUsed;

    // A direct exit to `target`: through its link slot while the budget lasts, else (or unchained) back to the runner.
    void DirectExit(ulong target)
    {
        if (!_chain)
        {
            MovImm(RAX, target);
            ReturnNext(unlinked: true);
            return;
        }
        var exit = (target, Slot: NewLabel(), Link: NewLabel(), Budget: NewLabel());
        _exits.Add(exit);
        E(Instruction.Create(Code.Dec_rm32, new MemoryOperand(RSI, -8)));
        JumpTo(Code.Je_rel32_64, exit.Budget);
        E(Instruction.Create(Code.Jmp_rm64, new MemoryOperand(RIP, 0L)));
        _patches.Add((_buf.Length - 4, exit.Slot));
    }

    bool Alu(in IrInstr i, Code rm, Code imm)
    {
        LoadTemp(RAX, i.A);
        if (i.B < _pure && Fits32(_constants[i.B])) E(Instruction.Create(imm, RAX, (int)_constants[i.B]));
        else Rm(rm, i.B, RCX);
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
        LoadTemp(RAX, i.A);
        switch (i.Op, i.Size)
        {
            case (IrOp.ZExt, 1): E(Instruction.Create(Code.Movzx_r32_rm8, EAX, AL)); break;
            case (IrOp.ZExt, 2): E(Instruction.Create(Code.Movzx_r32_rm16, EAX, AX)); break;
            case (IrOp.ZExt, 4): E(Instruction.Create(Code.Mov_r32_rm32, EAX, EAX)); break;
            case (IrOp.SExt, 1): E(Instruction.Create(Code.Movsx_r64_rm8, RAX, AL)); break;
            case (IrOp.SExt, 2): E(Instruction.Create(Code.Movsx_r64_rm16, RAX, AX)); break;
            case (IrOp.SExt, 4): E(Instruction.Create(Code.Movsxd_r64_rm32, RAX, EAX)); break;
            case (IrOp.Bswap, 2):
                E(Instruction.Create(Code.Movzx_r32_rm16, EAX, AX));
                E(Instruction.Create(Code.Rol_rm16_imm8, AX, 8));
                break;
            case (IrOp.Bswap, 4): E(Instruction.Create(Code.Bswap_r32, EAX)); break;
            case (IrOp.Bswap, _): E(Instruction.Create(Code.Bswap_r64, RAX)); break;
        }
        StoreTemp(i.Dst);
        return true;
    }

    bool Compare(in IrInstr i, Code setcc)
    {
        LoadTemp(RAX, i.A);
        if (i.B < _pure && Fits32(_constants[i.B])) E(Instruction.Create(Code.Cmp_rm64_imm32, RAX, (int)_constants[i.B]));
        else Rm(Code.Cmp_r64_rm64, i.B, RCX);
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
        JumpTo(Code.Jae_rel32_64, stub);
        if (i.Size > 1)
        {
            E(Instruction.Create(Code.Mov_r32_rm32, EDX, EAX));
            E(Instruction.Create(Code.And_rm32_imm32, EDX, (int)GuestAddressSpace.PageMask));
            E(Instruction.Create(Code.Cmp_rm32_imm32, EDX, (int)GuestAddressSpace.PageSize - i.Size));
            JumpTo(Code.Ja_rel32_64, stub);
        }
        var flags = new MemoryOperand(R9, RCX, 1, 0, 0);
        var host = new MemoryOperand(R8, RAX, 1, 0, 0);
        if (store)
        {
            // Writable and not holding translated code (a write there must invalidate it: the managed path does).
            E(Instruction.Create(Code.Movzx_r32_rm8, EDX, flags));
            E(Instruction.Create(Code.And_rm32_imm8, EDX, (int)(PageFlags.Write | PageFlags.HasCode)));
            E(Instruction.Create(Code.Cmp_rm32_imm8, EDX, (int)PageFlags.Write));
            JumpTo(Code.Jne_rel32_64, stub);
            LoadTemp(RCX, i.B);
            StoreSized(host, i.Size, RCX);
        }
        else
        {
            E(Instruction.Create(Code.Test_rm8_imm8, flags, (int)PageFlags.Read));
            JumpTo(Code.Je_rel32_64, stub);
            E(i.Size switch
            {
                1 => Instruction.Create(Code.Movzx_r32_rm8, EAX, host),
                2 => Instruction.Create(Code.Movzx_r32_rm16, EAX, host),
                4 => Instruction.Create(Code.Mov_r32_rm32, EAX, host),
                _ => Instruction.Create(Code.Mov_r64_rm64, RAX, host),
            });
            StoreTemp(i.Dst);
        }
        ResumeHere(k);
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

    // A label for the out-of-line exit that hands op `op` to the managed side.
    int NewStub(int op)
    {
        int label = NewLabel();
        _slowStubs.Add((op, NewLabel(), label));
        return label;
    }

    // The managed side resumes right after op `op`'s code.
    void ResumeHere(int op)
    {
        var stub = _slowStubs[^1];
        if (stub.Op != op) throw new InvalidOperationException("native stubs out of order");
        Bind(stub.Resume);
    }

    int NewLabel()
    {
        _labels.Add(-1);
        return _labels.Count - 1;
    }

    // Code reached by a jump (or resumed after the managed side) knows nothing of rax.
    void Bind(int label)
    {
        _labels[label] = _buf.Length;
        _rax = -1;
    }

    void JumpTo(Code jcc, int label)
    {
        // Encoded with a dummy target (the rel32 form always); patched once every label is bound.
        E(Instruction.CreateBranch(jcc, (ulong)_buf.Length));
        _patches.Add((_buf.Length - 4, label));
    }

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
