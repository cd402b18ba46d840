namespace UserEmu.IR;

/// <summary>Appends IR for one block; reused across translations so building allocates only the final array.</summary>
public sealed class IrBuilder
{
    IrInstr[] _code = new IrInstr[1024];
    int _count;
    int _temps;
    int _insnStart = -1;
    int _insnCount;

    public int Count => _count;
    public int TempCount => _temps;
    /// <summary>True once an exit op has been appended.</summary>
    public bool Ended { get; private set; }

    public void Reset()
    {
        _count = 0;
        _temps = 0;
        _insnStart = -1;
        _insnCount = 0;
        SideExits = 0;
        Ended = false;
    }

    /// <summary>Drops everything appended since <paramref name="mark"/> (used to end a block before an instruction).</summary>
    public void Truncate(int mark, int insnCount)
    {
        _count = mark;
        _insnCount = insnCount;
        Ended = false;
    }

    public int InstructionCount => _insnCount;

    public ushort NewTemp() => checked((ushort)_temps++);

    ref IrInstr Append(IrOp op)
    {
        if (_count == _code.Length) Array.Resize(ref _code, _code.Length * 2);
        ref var i = ref _code[_count++];
        i = default;
        i.Op = op;
        return ref i;
    }

    void MayFault()
    {
        if (_insnStart >= 0) _code[_insnStart].Aux = 1;
    }

    public void InsnStart(ulong pc)
    {
        _insnStart = _count;
        _insnCount++;
        Append(IrOp.InsnStart).Imm = (long)pc;
    }

    public ushort Const(long value)
    {
        ushort d = NewTemp();
        ref var i = ref Append(IrOp.Const);
        i.Dst = d;
        i.Imm = value;
        return d;
    }

    public ushort Const(ulong value) => Const((long)value);

    public ushort Mov(ushort a) => Unary(IrOp.Mov, a);

    public ushort LoadState(int offset, int size)
    {
        ushort d = NewTemp();
        ref var i = ref Append(IrOp.LoadState);
        i.Dst = d;
        i.Imm = offset;
        i.Size = (byte)size;
        return d;
    }

    public void StoreState(int offset, int size, ushort value)
    {
        ref var i = ref Append(IrOp.StoreState);
        i.A = value;
        i.Imm = offset;
        i.Size = (byte)size;
    }

    public ushort Binary(IrOp op, ushort a, ushort b, int size = 8)
    {
        ushort d = NewTemp();
        ref var i = ref Append(op);
        i.Dst = d;
        i.A = a;
        i.B = b;
        i.Size = (byte)size;
        return d;
    }

    public ushort Unary(IrOp op, ushort a, int size = 8)
    {
        ushort d = NewTemp();
        ref var i = ref Append(op);
        i.Dst = d;
        i.A = a;
        i.Size = (byte)size;
        return d;
    }

    public ushort Add(ushort a, ushort b) => Binary(IrOp.Add, a, b);
    public ushort Sub(ushort a, ushort b) => Binary(IrOp.Sub, a, b);
    public ushort And(ushort a, ushort b) => Binary(IrOp.And, a, b);
    public ushort Or(ushort a, ushort b) => Binary(IrOp.Or, a, b);
    public ushort Xor(ushort a, ushort b) => Binary(IrOp.Xor, a, b);

    public ushort Shl(ushort a, ushort b) => Binary(IrOp.Shl, a, b);
    public ushort Shr(ushort a, ushort b) => Binary(IrOp.Shr, a, b);
    public ushort Sar(ushort a, ushort b) => Binary(IrOp.Sar, a, b);
    public ushort AddImm(ushort a, long imm) => imm == 0 ? a : Add(a, Const(imm));
    public ushort AndImm(ushort a, long imm) => And(a, Const(imm));
    public ushort ShlImm(ushort a, int n) => n == 0 ? a : Shl(a, Const(n));
    public ushort ShrImm(ushort a, int n) => n == 0 ? a : Shr(a, Const(n));
    public ushort SarImm(ushort a, int n) => n == 0 ? a : Sar(a, Const(n));
    public ushort ZExt(ushort a, int size) => size == 8 ? a : Unary(IrOp.ZExt, a, size);
    public ushort SExt(ushort a, int size) => size == 8 ? a : Unary(IrOp.SExt, a, size);

    /// <summary>1 - <paramref name="bit"/> for a 0-or-1 temp: the temp a recent `x ^ 1` negated, else a new `bit ^ 1`.</summary>
    public ushort Not01(ushort bit)
    {
        // The condition of a negated jcc (jne, jae...) is its compare ^ 1, a few ops back at most.
        int k = LastDefinition(bit, 4);
        if (k >= 0 && _code[k] is { Op: IrOp.Xor } x && LastDefinition(x.B, 8) is int c && c >= 0 && c < k && _code[c] is { Op: IrOp.Const, Imm: 1 }
            && LastDefinition(x.A, _count - k) < k)
            return x.A;
        return Xor(bit, Const(1));
    }

    // The last op (among the `window` newest) that writes temp t, or -1.
    int LastDefinition(ushort t, int window)
    {
        for (int k = _count - 1; k >= Math.Max(0, _count - window); k--)
            if (_code[k].Dst == t && PreparedBlock.Defines(_code[k].Op)) return k;
        return -1;
    }

    public ushort Select(ushort cond, ushort ifTrue, ushort ifFalse)
    {
        ushort d = NewTemp();
        ref var i = ref Append(IrOp.Select);
        i.Dst = d;
        i.A = cond;
        i.B = ifTrue;
        i.C = ifFalse;
        return d;
    }

    public ushort Load(ushort addr, int size)
    {
        MayFault();
        ushort d = NewTemp();
        ref var i = ref Append(IrOp.Load);
        i.Dst = d;
        i.A = addr;
        i.Size = (byte)size;
        return d;
    }

    public void Store(ushort addr, ushort value, int size)
    {
        MayFault();
        ref var i = ref Append(IrOp.Store);
        i.A = addr;
        i.B = value;
        i.Size = (byte)size;
    }

    /// <summary>Calls a helper; every helper is assumed able to fault or raise a signal.</summary>
    public ushort Call(HelperFn fn, ushort a = 0, ushort b = 0, long imm = 0) => Call(HelperTable.Id(fn), a, b, imm);

    /// <summary>Calls helper <paramref name="id"/> (<see cref="HelperTable.Id(HelperFn)"/>).</summary>
    public ushort Call(ushort id, ushort a = 0, ushort b = 0, long imm = 0)
    {
        if (!HelperTable.IsVectorOnly(id)) MayFault();
        ushort d = NewTemp();
        ref var i = ref Append(IrOp.Call);
        i.Dst = d;
        i.A = a;
        i.B = b;
        i.Imm = imm;
        i.Helper = id;
        return d;
    }

    /// <summary>Calls a pure helper: no fault, no state access, removable when its result is unused.</summary>
    public ushort PureCall(PureFn fn, ushort a, ushort b, ushort c, long imm = 0)
    {
        ushort d = NewTemp();
        ref var i = ref Append(IrOp.PureCall);
        i.Dst = d;
        i.A = a;
        i.B = b;
        i.C = c;
        i.Imm = imm;
        i.Helper = HelperTable.Id(fn);
        return d;
    }

    /// <param name="returnAddress">The address a guest call pushed (0: not a call).</param>
    public void Jump(ulong target, ulong returnAddress = 0)
    {
        ref var i = ref Append(IrOp.Jump);
        i.Imm = (long)target;
        i.ReturnAddress = returnAddress;
        Ended = true;
    }

    /// <param name="returnAddress">The address a guest call pushed (0: not a call).</param>
    /// <param name="isReturn">The jump is a guest ret.</param>
    public void JumpIndirect(ushort target, ulong returnAddress = 0, bool isReturn = false)
    {
        ref var i = ref Append(IrOp.JumpIndirect);
        i.A = target;
        i.ReturnAddress = returnAddress;
        if (isReturn) i.Aux = 1;
        Ended = true;
    }

    public void Branch(ushort cond, ulong taken, ulong notTaken)
    {
        ref var i = ref Append(IrOp.Branch);
        i.A = cond;
        i.Imm = (long)taken;
        i.Imm2 = (long)notTaken;
        Ended = true;
    }

    /// <summary>A superblock's side exit: leave for <paramref name="target"/> if <paramref name="cond"/> != 0, else go on (<see cref="IrOp.SideExit"/>).</summary>
    public void SideExit(ushort cond, ulong target)
    {
        ref var i = ref Append(IrOp.SideExit);
        i.A = cond;
        i.Imm = (long)target;
        if (SideExits < _sideExitTargets.Length) _sideExitTargets[SideExits] = target;
        SideExits++;
    }

    /// <summary>Side exits appended to this block.</summary>
    public int SideExits { get; private set; }

    readonly ulong[] _sideExitTargets = new ulong[16];

    /// <summary>Whether a side exit of this block leads to <paramref name="pc"/>: a join point, which its own block translates.</summary>
    public bool IsSideExitTarget(ulong pc)
    {
        for (int n = 0; n < Math.Min(SideExits, _sideExitTargets.Length); n++)
            if (_sideExitTargets[n] == pc) return true;
        return false;
    }

    public void Syscall(ulong resumePc)
    {
        MayFault();
        Append(IrOp.Syscall).Imm = (long)resumePc;
        Ended = true;
    }

    /// <summary>
    /// The block built; <paramref name="transient"/>: its code is this builder's buffer, valid until the next block
    /// (<see cref="Engine.IGuestFrontend.Translate"/>): the dispatch loop prepares a block at once and drops its IR.
    /// </summary>
    /// <remarks>
    /// A copy of the code was a translation's largest garbage (python3 json_sha: 92 -> 51 MiB allocated when the
    /// copies went into one reused array per length); those arrays, up to ~1 MB of fresh memory per translating
    /// thread, were then a fifth of the page faults of a `lua5.4 -e ''`.
    /// </remarks>
    public IrBlock Finish(ulong guestPc, ulong guestEnd, bool transient = false)
    {
        // One block object per builder as well: a new one per translation was the rest of a translation's garbage (cc1:
        // 121k translations, 6 MiB).
        if (transient && _transient != null)
        {
            _transient.Refill(guestPc, guestEnd, _code, _count, Math.Max(_temps, 1), _insnCount);
            return _transient;
        }
        var block = new IrBlock
        {
            GuestPc = guestPc, GuestEnd = guestEnd, Code = transient ? _code : Copy(_code, _count), OpCount = _count,
            TempCount = Math.Max(_temps, 1), GuestInstructionCount = _insnCount,
        };
        if (transient) _transient = block;
        return block;
    }

    IrBlock? _transient;

    /// <summary>The first <paramref name="count"/> ops as an array of their own (Array.Copy: the framework's generic span copies over IrInstr are JIT-compiled at start-up).</summary>
    public static IrInstr[] Copy(IrInstr[] code, int count)
    {
        var copy = new IrInstr[count];
        Array.Copy(code, copy, count);
        return copy;
    }
}
