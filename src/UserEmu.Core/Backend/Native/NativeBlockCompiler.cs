using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using UserEmu.Memory;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

/// <summary>Translates a prepared block into x86-64 machine code, a few host instructions per IR op over temps kept in host registers or a frame, as QEMU's TCG emits a block: the native tier between the interpreter and RyuJIT regions.</summary>
/// <remarks>
/// Encoding costs microseconds per block where RyuJIT takes about 1.7 ms per region, so warm code that never gets hot
/// enough for a region (most of cc1 and python) stops paying the interpreter's ~30 ns per guest instruction.
/// <para>Register roles, set up by <see cref="NativeBlockRunner"/>'s entry stub: rdi = CpuState*, rsi = the temps,
/// r8 = host address of guest address 0; below the temps, the guest page table and the guest size - 8;
/// rax, rcx, rdx and r11 are scratch; rbx, rbp, r9, r10 and r12-r15 hold temps (the callee-saved ones saved by the entry
/// stub; results go straight into them, and a result may take the register of an operand that dies there). The block's body first stores the constants of
/// its template that the managed side may read; constant operands are immediates where an instruction takes one.</para>
/// <para>The code returns rax:rdx. rax = -1 to continue at RIP (rdx: the link slot of the direct exit taken, or 0),
/// -2 for a system call. When an op needs the managed side (a helper call, or a guest access whose inline page check
/// failed), its stub calls the chunk's hand-back tail (<see cref="NativeExitTails"/>): rdx = HandBackData and rax = the
/// call's return address, where the op's index and the block's id in its <see cref="NativeCodeArena"/> follow, then the
/// code that re-enters. The runner performs that op as the interpreter does (faults included) and re-enters there. A
/// memory access group whose check failed leaves with rax = the op's index and rdx = the block's id: the interpreter
/// runs the rest of the block.</para>
/// <para>Chaining (QEMU's goto_tb): a direct exit is a jmp (or jcc, or a guest call's host call) whose rel32 the
/// dispatcher rewrites to the target's chain entry once the target has native code; its link slot records where that
/// rel32 is. A block that will become a region counts its runs there and
/// returns to the dispatcher once the count reaches the region threshold or the block was invalidated
/// (<see cref="Poisoned"/>); for any other block the chain entry is its body, and invalidation undoes the links to it
/// (<see cref="NativeJumpTable.Unlink"/>). Each chained jump back (to a lower or equal guest PC: every cycle has one)
/// and each indirect jump tests the vCPU's interrupt word (<see cref="CpuState.Interrupt"/>), set by a thread that
/// needs this one in its dispatcher (a signal for it, a fork's or flush's stop-the-world), and returns to the runner
/// if it is (a forward run between two cannot repeat a block). The GC needs no such exit: the code runs in preemptive
/// mode (<see cref="NativeBlockRunner"/>).</para>
/// </remarks>
public sealed unsafe partial class NativeBlockCompiler
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
    readonly ScratchList<int> _labels = new();
    readonly ScratchList<Patch> _patches = new();
    // Out-of-line exits, emitted after the main code: (op, resume label) for the managed side; (target, slot label, link label) for direct exits.
    readonly ScratchList<SlowStub> _slowStubs = new();
    readonly ScratchList<DirectExitLabels> _exits = new();
    readonly ScratchList<GroupExit> _groupExits = new();
    // Unchecked accesses: offset, then the stub's label until Emit resolves it to an offset.
    readonly ScratchList<NativeCodeArena.FaultSite> _faultSites = new();
    // Stack slots and struct fields whose accesses share one bounds and code-page check (with host faults redirected).
    readonly MemoryAccessGroups _groups = new();
    bool _grouped;

    readonly record struct Patch(int At, int Label);
    // A rel32 at `At` to the chunk's exit tail at offset `Tail` (NativeExitTails), known once the code is placed.
    readonly record struct TailPatch(int At, int Tail);
    readonly ScratchList<TailPatch> _tailPatches = new();
    // XmmFirst, XmmCount: the XMM registers its way back reloads; DirtyFirst, DirtyCount: those it stores on its way
    // out (both in _xmmReloads).
    readonly record struct SlowStub(int Op, int Resume, int Label, int DirtyFirst, int DirtyCount, int XmmFirst = 0, int XmmCount = 0);
    // The way out of a block whose access group failed its check: the managed side interprets the rest from op Op.
    readonly record struct GroupExit(int Op, int Label, int DirtyFirst, int DirtyCount);
    // LinkCall: a loop's back edge with sunk stores, the label of its call to the link tail (Link: of the stores before it).
    readonly record struct DirectExitLabels(ulong Target, int Slot, int Link, int Interrupted, int Field, bool Loop, int LinkCall = -1);
    ulong[] _constants = [];
    int _pure, _id;
    // The temp whose value rax holds (-1: none known), reads per temp, and the op being emitted: a temp read only by
    // the next op, which takes it from rax, is never stored (the frame round trip is a store-forwarding stall).
    int _rax = -1, _k;
    bool _lostRax;
    int[] _uses = new int[NativeBlockRunner.FrameTemps];
    // The code emitted (the block's, or its copy with addresses folded, FoldAddresses) and its length.
    IrInstr[] _code = [];
    int _n;
    bool _chain;

    NativeBlockCompiler() => _enc = Encoder.Create(64, _buf);

    /// <summary>Machine code for <paramref name="block"/> in <paramref name="arena"/>, or null if the block has an op this tier does not take, too many temps, or the arena is full.</summary>
    /// <param name="chain">Direct exits are linked to their targets (off when every block must come back to the dispatcher: -d exec).</param>
    /// <param name="regionThreshold">Count at which the chain entry leaves to the dispatcher, which compiles the region; each run counts <see cref="RunWeight"/>.</param>
    /// <param name="jumps">The process's table for indirect jumps (null: they return to the dispatcher).</param>
    /// <param name="codeWritesFault">Guest pages holding translated code are read-only on the host while the guest may write them (<see cref="Memory.GuestAddressSpace.ProtectsCodePages"/>): stores need not test for code.</param>
    /// <param name="stored">An image of this block's code from an earlier run (the persistent code cache): put in place
    /// as it is where it was made with this call's settings (else the block is compiled afresh).</param>
    public static NativeCode? Compile(PreparedBlock block, NativeCodeArena arena, bool chain = false, int regionThreshold = int.MaxValue,
        NativeJumpTable? jumps = null, bool codeWritesFault = false, ReadOnlySpan<byte> stored = default)
    {
        if (block.TempCount > NativeBlockRunner.FrameTemps || block.OpCount > ushort.MaxValue) return null;
        var c = t_instance ??= new NativeBlockCompiler();
        c._imageBytes = 0;
        c._jumps = chain ? jumps : null;
        c._storesFaultOnCode = codeWritesFault && NativeFaultRedirect.Enabled;
        // A stored image (ReadImage accepts only the flags of one without a run counter or helper calls) needs no
        // BecomesRegion, and its IR is not decoded here at all.
        if (!stored.IsEmpty && c.ReadImage(stored, chain, c._jumps != null, c._storesFaultOnCode))
        {
            int storedId = arena.AddBlock(block);
            if (s_checkImages && !c.CompilesTo(stored, block, storedId, chain))
                throw new InvalidOperationException($"internal error: block 0x{block.GuestPc:x}: its stored native code differs from a fresh compile");
            c._imageBytes = 0;
            return c.Install(stored[(stored.Length - c._words[WordLength])..], storedId, arena, null, c._jumps);
        }
        bool region = BecomesRegion(block);
        // A block that stays native is not counted: its chain entry is its body, and invalidating it unlinks it.
        uint* counter = null;
        if (region && regionThreshold >= 0 && (counter = arena.NewCounter()) == null) return null;
        int id = arena.AddBlock(block);
        var counted = counter == null ? null : new RegionCounter(counter, RunWeight(block), (uint)regionThreshold);
        if (!c.Emit(block, id, chain, counted)) return null;
        c.WriteImage(counted != null);
        return c.Install(c._buf.Bytes, id, arena, counted, c._jumps);
    }

    // The rel32 field at `field` (an instruction's last four bytes) made to lead to `target`.
    static void SetRel32(byte* field, byte* target) => *(int*)field = checked((int)(target - (field + 4)));

    // Offsets in the code emitted; from _coldStart on, the out-of-line code placed apart (NativeCodeArena.Place).
    int _indirectOffset, _chainOffset, _bodyOffset, _coldStart, _loopOffset;
    ulong _guestPc;
    NativeJumpTable? _jumps;
    bool _storesFaultOnCode;

    bool Emit(PreparedBlock block, int id, bool chain, RegionCounter? counted)
    {
        _buf.Clear();
        _labels.Clear();
        _patches.Clear();
        _tailPatches.Clear();
        _slowStubs.Clear();
        _groupExits.Clear();
        _exits.Clear();
        _sideExits.Clear();
        _faultSites.Clear();
        _xmmReloads.Clear();
        _idFields.Clear();
        _tableFields.Clear();
        if (_constants.Length < block.ConstantCount) _constants = new ulong[Math.Max(block.ConstantCount, 2 * _constants.Length)];
        block.Constants.CopyTo(_constants);
        _guestPc = block.GuestPc;
        _pure = block.PureConstants;
        _id = id;
        _chain = chain;
        var code = block.Code;

        // Indirect entry: reached through a possibly stale jump table entry, so check that the target (in rax, just
        // stored to RIP by the indirect jump) is this block.
        int leave = NewLabel();
        // Padding first (never run), so that the chain entry, where every chained jump lands, starts a 16-byte line
        // of the host's instruction fetch: cmp rax, imm32 and jne are 12 bytes; mov ecx (5) or rcx (10), cmp and jne
        // 14 or 19.
        int check = Fits32(block.GuestPc) ? 12 : block.GuestPc <= uint.MaxValue ? 14 : 19;
        for (int p = 0; p < (16 - check % 16) % 16; p++) _buf.WriteByte(0xcc);
        _indirectOffset = _buf.Length;
        if (Fits32(block.GuestPc)) E(Instruction.Create(Code.Cmp_RAX_imm32, RAX, (int)(long)block.GuestPc));
        else
        {
            MovImm(RCX, block.GuestPc);
            E(Instruction.Create(Code.Cmp_r64_rm64, RAX, RCX));
        }
        JumpToTail(Code.Jne_rel32_64, NativeExitTails.Fill);
        System.Diagnostics.Debug.Assert(_buf.Length % 16 == 0);
        // Chain entry: count the run; leave for the dispatcher (RIP = this block) once hot or invalidated. A block that
        // stays native has no counter and enters its body directly: invalidation unlinks it (NativeJumpTable.Unlink).
        _chainOffset = _buf.Length;
        if (counted != null)
        {
            E(Instruction.Create(Code.Mov_r64_imm64, R11, (ulong)counted.Runs));
            E(Instruction.Create(Code.Add_rm32_imm32, new MemoryOperand(R11), (int)counted.Weight));
            E(Instruction.Create(Code.Cmp_rm32_imm32, new MemoryOperand(R11), unchecked((int)counted.Threshold)));
            JumpTo(Code.Jae_rel32_64, leave);
        }
        _bodyOffset = _buf.Length;
        _grouped = NativeFaultRedirect.Enabled;
        if (_grouped) _groups.Analyze(block, singles: true);
        _original = code;
        _n = code.Length;
        // Before folding, which counts a deferred store's read of an address as one the stubs compute again. Folding
        // changes nothing this looks at (its Nops and Movs are neither state, accesses nor calls).
        FindDeferredStores(code, block.FlagsDeadAtExit);
        code = FoldAddresses(block);
        _code = code;
        Array.Clear(_uses, 0, block.TempCount);
        foreach (ref readonly var i in code.AsSpan(0, _n))
        {
            int n = Optimizer.DeadTemps.TempOperands(i.Op);
            if (n >= 1) _uses[i.A]++;
            if (n >= 2) _uses[i.B]++;
            if (n >= 3) _uses[i.C]++;
        }
        var ops = code.AsSpan(0, _n);
        ComputeLiveRanges(ops, block.TempCount);
        SinkDeferredValues(ops);
        KeepDeferredValuesLive(ops);
        FindCarried(ops, counted != null);
        AllocateRegisters(ops);
        SinkCarriedStores();
        FindHomes(ops);
        // A loop block's carried registers, then where its back edge comes in: the template is stored at every pass.
        _loopOffset = EmitCarriedLoads();
        StoreTemplate(block);
        _rax = -1;
        _lostRax = false;
        _fusedNext = -1;
        _mxcsrControlsChecked = false;
        _upperDirty = false;
        ForgetXmm();
        _lostXmm = false;
        for (int k = 0; k < _n; k++)
        {
            _k = k;
            if (k != _fusedNext && !_sunk[k] && !EmitOp(in code[k], k)) return false;
        }
        _k = -1;
        if (_lostRax || _lostXmm || _lostSunk) return false;
        // What follows runs only on the way out: stubs, exits before linking, link slots.
        while ((_buf.Length & 15) != 0) _buf.WriteByte(0xcc);
        _coldStart = _buf.Length;

        if (counted != null)
        {
            Bind(leave);
            // r11 = the counter still. A count past Poisoned goes back to it, so an invalidated block's count never
            // wraps round to below the threshold however often stale chains reach it.
            E(Instruction.Create(Code.Cmp_rm32_imm32, new MemoryOperand(R11), unchecked((int)Poisoned)));
            int keep = NewLabel();
            JumpTo(Code.Jb_rel32_64, keep);
            E(Instruction.Create(Code.Mov_rm32_imm32, new MemoryOperand(R11), unchecked((int)Poisoned)));
            Bind(keep);
            MovImm(RAX, block.GuestPc);
            ReturnNext();
        }
        EmitSideExitStubs();
        for (int n = 0; n < _slowStubs.Count; n++)
        {
            var (op, resume, label, dirtyFirst, dirtyCount, xmmFirst, xmmCount) = _slowStubs[n];
            if (Trampoline(label, n)) continue;
            ref readonly var access = ref code[op];
            StoreXmm(dirtyFirst, dirtyCount);
            HandOver(op, restOfBlock: false);
            // A load's fast path leaves its result in rax, so its way back does too.
            bool loadsRax = access.Op == IrOp.Load;
            // The op and block id follow a call to the chunk's hand-back tail, and the way back in follows them.
            JumpToTail(Code.Call_rel32_64, NativeExitTails.HandBack);
            _buf.Write16((ushort)op);
            _idFields.Add(_buf.Length);
            _buf.Write32((uint)_id);
            Bind(NewLabel());
            ReloadAfter(op, emit: true);
            ReloadXmm(xmmFirst, xmmCount);
            if (loadsRax) E(Instruction.Create(Code.Mov_r64_rm64, RAX, Temp(access.Dst)));
            JumpTo(Code.Jmp_rel32_64, resume);
            _stubEnd = _buf.Length;
        }
        for (int n = 0; n < _groupExits.Count; n++)
        {
            var (op, label, dirtyFirst, dirtyCount) = _groupExits[n];
            if (Trampoline(label, _slowStubs.Count + n)) continue;
            StoreXmm(dirtyFirst, dirtyCount);
            // As an access's stub, but nothing resumes: the block ends in the interpreter.
            HandOver(op, restOfBlock: true);
            E(Instruction.Create(Code.Mov_r32_imm32, EAX, (uint)op));
            E(Instruction.Create(Code.Mov_r32_imm32, EDX, (uint)_id));
            _idFields.Add(_buf.Length - 4);
            LeaveToRunner();
            _stubEnd = _buf.Length;
        }
        EmitDirectExitStubs();
        for (int n = 0; n < _patches.Count; n++)
            _buf.Patch32(_patches[n].At, _labels[_patches[n].Label] - (_patches[n].At + 4));
        for (int n = 0; n < _faultSites.Count; n++)
            _faultSites[n] = _faultSites[n] with { Stub = _labels[_faultSites[n].Stub] };
        return true;
    }

    // In an out-of-line stub, before op `op` goes to the managed side (and, for a group exit, the rest of the block):
    // everything it reads into the frame and the state.
    void HandOver(int op, bool restOfBlock)
    {
        ref readonly var access = ref _code[op];
        // Every way into an access's stub has its address in rax, which may be the only place it is.
        if (access.Op is IrOp.Load or IrOp.Store && access.A >= _pure && _reg[access.A] == Register.None)
            E(Instruction.Create(Code.Mov_rm64_r64, Frame(access.A), RAX));
        // The managed side reads and writes temps in the frame: register temps go there and come back. State it may
        // show in a signal frame gets the stores left out of the fast path.
        SpillFor(op);
        MaterializeHomes(op);
        EmitSunkStores(op);
        MakeDeferredStores(op);
        MaterializeElided(op, restOfBlock);
    }

    // The template's temps read before they are written (zero), which this code may read from the frame. The pure
    // constants are not stored: this code uses them as immediates, and the managed side puts them into the frame
    // itself before it runs an op handed back (IrInterpreter.RunOne, Resume), rather than every run of the block
    // storing those it might read (python3's native code -1.4%, fib 36 85.8 -> 83.8 ms).
    void StoreTemplate(PreparedBlock block)
    {
        var template = block.Constants;
        for (int t = _pure; t < template.Length; t++)
        {
            ulong v = template[t];
            if (Fits32(v)) E(Instruction.Create(Code.Mov_rm64_imm32, Frame((ushort)t), (int)(long)v));
            else
            {
                MovImm(RAX, v);
                E(Instruction.Create(Code.Mov_rm64_r64, Frame((ushort)t), RAX));
            }
        }
    }

    /// <summary>
    /// Whether a hot native block is compiled into a region: one that calls helpers (native code makes those calls
    /// through the runner, a region directly), but for a rep string op, whose own work dwarfs the trip.
    /// </summary>
    /// <remarks>
    /// Measured 2026-12-02 with every region off (-jit-threshold -1) against the default: cc1 30.0 vs 38.3 s, python3
    /// json_sha 3.0-3.3 vs 3.8 s, lua 0.57 vs 0.76, fib 0.37 vs 0.46 (native code with unchecked loads and registers
    /// beat RyuJIT's regions, which keep every page check and enter and leave through the dispatcher), but nbody 6.97
    /// vs 1.28, pthreads 2.50 vs 0.85, strings 1.67 vs 1.31: their hot loops call helpers (SSE, LOCK, AVX2). A block
    /// branching to itself became a region too until native code caught up (session 11: sha256sum 8 MB 0.25-0.29 s
    /// as a region, 0.21-0.22 s native); a rep movs made sha256sum's whole transform a region.
    /// </remarks>
    public static bool BecomesRegion(PreparedBlock block)
    {
        foreach (ref readonly var i in block.Code.AsSpan())
            if (CallsHelper(i) && i.Helper != s_stringOp) return true;
        return false;
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
            if (CallsHelper(i)) calls++;
        return Math.Min(1 + 8 * calls, 1024);
    }

    // A helper call that leaves native code: not one native code performs itself (Inlined). Counting those made
    // python3's hottest regions blocks of memcpy's tail whose only "helper" was the condition of a jcc after a call
    // (3.2M region entries through the dispatcher, two dispatches each).
    static readonly ushort s_stringOp = HelperTable.Id(StringHelpers.Run);

    static bool CallsHelper(in IrInstr i) => i.Op is IrOp.Call or IrOp.PureCall && !Inlined(i);

    // A label for the out-of-line exit that hands op `op` to the managed side.
    // A way out of the block at op `op` for the interpreter to run the rest (GroupExit), with the XMM registers dirty now.
    int NewGroupExit(int op)
    {
        int label = NewLabel();
        DirtyXmm(out int first, out int count);
        _groupExits.Add(new GroupExit(op, label, first, count));
        return label;
    }

    int NewStub(int op)
    {
        int label = NewLabel();
        DirtyXmm(out int first, out int count);
        _slowStubs.Add(new SlowStub(op, NewLabel(), label, first, count));
        return label;
    }

    // The managed side resumes right after op `op`'s code.
    // An inlined helper's result: 0, it returned normally. Mostly nothing reads it (a fault would have left the block).
    void HelperReturnedZero(ushort t)
    {
        _rax = -1;
        if (_uses[t] != 0) StoreTempImm(t, 0);
    }

    void ResumeHere(int op)
    {
        var stub = _slowStubs[^1];
        if (stub.Op != op) throw new InvalidOperationException("native stubs out of order");
        // A guest access's way back reloads the XMM registers that hold vector state (the managed side clobbers them;
        // the access changes no state): the fast path keeps them. After anything else they are forgotten.
        if ((_code[op].Op is IrOp.Load or IrOp.Store || WholeVectorWithMemory(_code[op])) && HeldXmm(out int first, out int count))
        {
            _slowStubs[^1] = stub with { XmmFirst = first, XmmCount = count };
            _labels[stub.Resume] = _buf.Length;
            _rax = -1;
        }
        else Bind(stub.Resume);
    }

    int NewLabel()
    {
        _labels.Add(-1);
        return _labels.Count - 1;
    }

    // Code reached by a jump (or resumed after the managed side) knows nothing of rax or the XMM registers.
    void Bind(int label)
    {
        _labels[label] = _buf.Length;
        _rax = -1;
        ForgetXmm();
    }

    // A jump to one of the chunk's exit tails (NativeExitTails), patched once the code is placed.
    void JumpToTail(Code jcc, int tail)
    {
        E(Instruction.CreateBranch(jcc, (ulong)_buf.Length));
        _tailPatches.Add(new TailPatch(_buf.Length - 4, tail));
    }

    void JumpTo(Code jcc, int label)
    {
        // Encoded with a dummy target (the rel32 form always); patched once every label is bound.
        E(Instruction.CreateBranch(jcc, (ulong)_buf.Length));
        _patches.Add(new Patch(_buf.Length - 4, label));
    }

    void E(in Instruction i)
    {
        if (i.OpCount == 2 && i.Op0Kind == OpKind.Register)
        {
            var code = i.Code;
            if (code is Code.Cmp_rm64_imm32 or Code.Cmp_rm64_imm8 or Code.Cmp_rm32_imm32 or Code.Cmp_rm32_imm8 && i.GetImmediate(1) == 0)
            {
                // The same flags (CF = OF = 0; ZF, SF and PF of the register) in 3 bytes rather than 4 or 7.
                var r = i.Op0Register;
                _enc.Encode(Instruction.Create(code is Code.Cmp_rm64_imm32 or Code.Cmp_rm64_imm8 ? Code.Test_rm64_r64 : Code.Test_rm32_r32, r, r), (ulong)_buf.Length);
                return;
            }
            if (Imm8Form(code) is var imm8 && imm8 != Code.INVALID)
            {
                long v = i.Op1Kind == OpKind.Immediate32to64 ? i.Immediate32to64 : (int)i.Immediate32;
                if (v is >= sbyte.MinValue and <= sbyte.MaxValue)
                {
                    _enc.Encode(Instruction.Create(imm8, i.Op0Register, (int)v), (ulong)_buf.Length);
                    return;
                }
            }
        }
        _enc.Encode(i, (ulong)_buf.Length);
    }

    // The sign-extended imm8 form of an ALU op with a 32-bit immediate: 3 bytes shorter. The emitters name the imm32
    // forms (a constant's size is known only here), and 2.8% of cc1's native code was imm32 fields holding a byte.
    static Code Imm8Form(Code c) => c switch
    {
        Code.Add_rm64_imm32 => Code.Add_rm64_imm8,
        Code.Sub_rm64_imm32 => Code.Sub_rm64_imm8,
        Code.And_rm64_imm32 => Code.And_rm64_imm8,
        Code.Or_rm64_imm32 => Code.Or_rm64_imm8,
        Code.Xor_rm64_imm32 => Code.Xor_rm64_imm8,
        Code.Cmp_rm64_imm32 => Code.Cmp_rm64_imm8,
        Code.Add_rm32_imm32 => Code.Add_rm32_imm8,
        Code.Sub_rm32_imm32 => Code.Sub_rm32_imm8,
        Code.And_rm32_imm32 => Code.And_rm32_imm8,
        Code.Or_rm32_imm32 => Code.Or_rm32_imm8,
        Code.Xor_rm32_imm32 => Code.Xor_rm32_imm8,
        Code.Cmp_rm32_imm32 => Code.Cmp_rm32_imm8,
        _ => Code.INVALID,
    };

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

        public void Write16(ushort value)
        {
            WriteByte((byte)value);
            WriteByte((byte)(value >> 8));
        }

        public void Write32(uint value)
        {
            for (int n = 0; n < 4; n++) WriteByte((byte)(value >> (8 * n)));
        }

        public void Patch32(int at, int value) => System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(_bytes.AsSpan(at), value);
    }
}
