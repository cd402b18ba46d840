using System.Buffers.Binary;
using System.Numerics;
using System.Reflection;
using System.Reflection.Emit;
using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.IR;
using UserEmu.Memory;

namespace UserEmu.Backend.IL;

/// <summary>Emits the IL of one compiled region (see <see cref="IlBlockCompiler"/>).</summary>
sealed partial class IlRegionEmitter
{
    readonly ILGenerator _il;
    readonly IReadOnlyList<PreparedBlock> _region;
    readonly GuestAddressSpace _memory;
    readonly LocalBuilder[] _temps;
    readonly LocalBuilder _page;
    readonly Label[] _blockLabels;
    readonly Dictionary<ulong, int> _blockIndex = new();

    public IlRegionEmitter(ILGenerator il, IReadOnlyList<PreparedBlock> region, GuestAddressSpace memory, bool chain)
    {
        _il = il;
        _chain = chain;
        _region = region;
        _memory = memory;
        int temps = region.Max(b => b.TempCount);
        _temps = new LocalBuilder[temps];
        for (int k = 0; k < temps; k++) _temps[k] = il.DeclareLocal(typeof(ulong));
        _page = il.DeclareLocal(typeof(ulong));
        _blockLabels = new Label[region.Count];
        for (int k = 0; k < region.Count; k++)
        {
            _blockLabels[k] = il.DefineLabel();
            _blockIndex.TryAdd(region[k].GuestPc, k);
        }
    }

    void StatePtr(long offset)
    {
        _il.Emit(OpCodes.Ldarg_2);
        if (offset != 0)
        {
            _il.Emit(OpCodes.Ldc_I4, (int)offset);
            _il.Emit(OpCodes.Add);
        }
    }

    // The block being emitted: its pure-constant temps are pushed as literals, never stored in a local
    // (fewer locals and stores is less work for RyuJIT, whose time is most of what compiling a region costs).
    PreparedBlock _block = null!;

    /// <summary>Starts block <paramref name="block"/>: temps it reads before writing start at 0, as in the interpreter.</summary>
    void BeginBlock(PreparedBlock block)
    {
        _block = block;
        BeginGroups(block);
        for (int t = block.PureConstants; t < block.Constants.Length; t++)
        {
            _il.Emit(OpCodes.Ldc_I8, 0L);
            _il.Emit(OpCodes.Stloc, _temps[t]);
        }
    }

    bool IsConstant(ushort t) => t < _block.PureConstants;

    void Ld(ushort t)
    {
        if (IsConstant(t)) _il.Emit(OpCodes.Ldc_I8, (long)_block.Constants[t]);
        else _il.Emit(OpCodes.Ldloc, _temps[t]);
    }

    /// <summary>The local holding temp <paramref name="t"/>, for code that reads it more than once; a constant is stored there first.</summary>
    LocalBuilder Local(ushort t)
    {
        if (IsConstant(t))
        {
            _il.Emit(OpCodes.Ldc_I8, (long)_block.Constants[t]);
            _il.Emit(OpCodes.Stloc, _temps[t]);
        }
        return _temps[t];
    }

    void St(ushort t) => _il.Emit(OpCodes.Stloc, _temps[t]);

    void SetRip(long pc)
    {
        StatePtr(CpuState.OffRip);
        _il.Emit(OpCodes.Ldc_I8, pc);
        _il.Emit(OpCodes.Stind_I8);
    }

    /// <summary>Continues at a constant guest PC: a branch inside the region, or an exit from it.</summary>
    void Goto(long target, int fromBlock)
    {
        if (_blockIndex.TryGetValue((ulong)target, out int k))
        {
            if (k <= fromBlock)
            {
                // Back edge: let the dispatcher deliver signals if someone asked.
                var stay = _il.DefineLabel();
                IlBlockCompiler.EmitLoadInterrupt(_il);
                _il.Emit(OpCodes.Brfalse, stay);
                SetRip(target);
                ExitRegion(BlockExit.Next);
                _il.MarkLabel(stay);
            }
            _il.Emit(OpCodes.Br, _blockLabels[k]);
            return;
        }
        SetRip(target);
        ExitDirect();
    }

    readonly MemoryAccessGroups _groups = new();
    readonly List<LocalBuilder> _groupOk = new();
    LocalBuilder? _groupAddr;

    public void Emit()
    {
        for (int k = 0; k < _region.Count; k++)
        {
            _il.MarkLabel(_blockLabels[k]);
            BeginBlock(_region[k]);
            var code = _region[k].Code;
            for (int n = 0; n < code.Length; n++)
            {
                if (_groups.CheckAt[n] >= 0) CheckGroup(_groups.CheckAt[n]);
                EmitOp(code[n], k, _groups.GroupOf[n]);
            }
        }
        EmitChainExits();
    }

    /// <summary>Finds the block's memory access groups and gives each a local for the outcome of its check.</summary>
    void BeginGroups(PreparedBlock block)
    {
        _groups.Analyze(block);
        while (_groupOk.Count < _groups.GroupCount) _groupOk.Add(_il.DeclareLocal(typeof(bool)));
    }

    /// <summary>ok[g] = the whole span of group <paramref name="g"/> lies in one page with the flags it needs.</summary>
    void CheckGroup(int g)
    {
        var group = _groups.Groups[g];
        _groupAddr ??= _il.DeclareLocal(typeof(ulong));
        Ld(group.Base);
        if (group.Low != 0)
        {
            _il.Emit(OpCodes.Ldc_I8, group.Low);
            _il.Emit(OpCodes.Add);
        }
        _il.Emit(OpCodes.Stloc, _groupAddr);
        IlMemoryAccess.CheckSpan(_il, _memory, _groupAddr, _page, group.Span, group.Mask, group.Need, _groupOk[g]);
    }

    void Bin(in IrInstr i, OpCode op) { Ld(i.A); Ld(i.B); _il.Emit(op); St(i.Dst); }
    void Shift(in IrInstr i, OpCode op) { Ld(i.A); Ld(i.B); _il.Emit(OpCodes.Conv_I4); _il.Emit(OpCodes.Ldc_I4, 63); _il.Emit(OpCodes.And); _il.Emit(op); St(i.Dst); }
    void Cmp(in IrInstr i, OpCode op) { Ld(i.A); Ld(i.B); _il.Emit(op); _il.Emit(OpCodes.Conv_U8); St(i.Dst); }
    void CmpNot(in IrInstr i, OpCode op) { Ld(i.A); Ld(i.B); _il.Emit(op); _il.Emit(OpCodes.Ldc_I4_0); _il.Emit(OpCodes.Ceq); _il.Emit(OpCodes.Conv_U8); St(i.Dst); }

    static readonly MethodInfo SizedRol = typeof(IrSemantics).GetMethod(nameof(IrSemantics.Rol))!;
    static readonly MethodInfo SizedRor = typeof(IrSemantics).GetMethod(nameof(IrSemantics.Ror))!;
    static readonly MethodInfo SizedBswap = typeof(IrSemantics).GetMethod(nameof(IrSemantics.Bswap))!;
    static readonly MethodInfo RotateLeft32 = typeof(BitOperations).GetMethod(nameof(BitOperations.RotateLeft), [typeof(uint), typeof(int)])!;
    static readonly MethodInfo RotateLeft64 = typeof(BitOperations).GetMethod(nameof(BitOperations.RotateLeft), [typeof(ulong), typeof(int)])!;
    static readonly MethodInfo RotateRight32 = typeof(BitOperations).GetMethod(nameof(BitOperations.RotateRight), [typeof(uint), typeof(int)])!;
    static readonly MethodInfo RotateRight64 = typeof(BitOperations).GetMethod(nameof(BitOperations.RotateRight), [typeof(ulong), typeof(int)])!;
    static readonly MethodInfo ReverseEndianness16 = typeof(BinaryPrimitives).GetMethod(nameof(BinaryPrimitives.ReverseEndianness), [typeof(ushort)])!;
    static readonly MethodInfo ReverseEndianness32 = typeof(BinaryPrimitives).GetMethod(nameof(BinaryPrimitives.ReverseEndianness), [typeof(uint)])!;
    static readonly MethodInfo ReverseEndianness64 = typeof(BinaryPrimitives).GetMethod(nameof(BinaryPrimitives.ReverseEndianness), [typeof(ulong)])!;

    // RyuJIT expands the BitOperations and BinaryPrimitives calls as intrinsics (one rol/ror/bswap), whatever its
    // inlining budget: a call to the sized IrSemantics method is not inlined in a large region.
    void Rotate(in IrInstr i)
    {
        bool left = i.Op == IrOp.Rol;
        if (i.Size < 4)
        {
            SizedCall(i, left ? SizedRol : SizedRor, true);
            return;
        }
        Ld(i.A);
        if (i.Size == 4) _il.Emit(OpCodes.Conv_U4);
        Ld(i.B);
        _il.Emit(OpCodes.Conv_I4);
        _il.Emit(OpCodes.Call, i.Size == 4 ? (left ? RotateLeft32 : RotateRight32) : (left ? RotateLeft64 : RotateRight64));
        if (i.Size == 4) _il.Emit(OpCodes.Conv_U8);
        St(i.Dst);
    }

    void ByteSwap(in IrInstr i)
    {
        if (i.Size is not (2 or 4 or 8))
        {
            SizedCall(i, SizedBswap, false);
            return;
        }
        Ld(i.A);
        if (i.Size < 8) _il.Emit(i.Size == 2 ? OpCodes.Conv_U2 : OpCodes.Conv_U4);
        _il.Emit(OpCodes.Call, i.Size switch { 2 => ReverseEndianness16, 4 => ReverseEndianness32, _ => ReverseEndianness64 });
        if (i.Size < 8) _il.Emit(OpCodes.Conv_U8);
        St(i.Dst);
    }

    void SizedCall(in IrInstr i, MethodInfo method, bool withB)
    {
        Ld(i.A);
        if (withB) Ld(i.B);
        _il.Emit(OpCodes.Ldc_I4, (int)i.Size);
        _il.Emit(OpCodes.Call, method);
        St(i.Dst);
    }

    void Truncate(int size)
    {
        if (size == 8) return;
        _il.Emit(size switch { 1 => OpCodes.Conv_U1, 2 => OpCodes.Conv_U2, _ => OpCodes.Conv_U4 });
        _il.Emit(OpCodes.Conv_U8);
    }

    /// <summary>Pushes a state value, zero-extended, from the state block.</summary>
    /// <remarks>
    /// Guest state stays in memory: promoting it to IL locals (tried until 2026-12-01) made RyuJIT take twice as
    /// long per region and the code no faster, since every exit, helper call and slow memory path had to write it back.
    /// </remarks>
    void LoadState(long offset, int size)
    {
        StatePtr(offset);
        IlMemoryAccess.LoadInd(_il, size);
    }

    /// <summary>Writes the low <paramref name="size"/> bytes of a local to the state block.</summary>
    void StoreState(long offset, int size, LocalBuilder value) => StoreState(offset, size, () => _il.Emit(OpCodes.Ldloc, value));

    void StoreState(long offset, int size, ushort temp) => StoreState(offset, size, () => Ld(temp));

    void StoreState(long offset, int size, Action pushValue)
    {
        StatePtr(offset);
        pushValue();
        IlMemoryAccess.StoreInd(_il, size);
    }

    /// <summary>Records the guest PC of a memory access's slow path, where it may fault (none for an op that cannot).</summary>
    Action? FaultPc(in IrInstr i)
    {
        if (i.Aux == 0) return null;
        long pc = (long)i.FaultPc(_block.GuestPc);
        return () => SetRip(pc);
    }

    void HelperCall(in IrInstr i)
    {
        if (i.Aux != 0) SetRip((long)i.FaultPc(_block.GuestPc));
        _il.Emit(OpCodes.Ldarg_1);
        Ld(i.A);
        Ld(i.B);
        _il.Emit(OpCodes.Ldc_I8, i.Imm);
        _il.Emit(OpCodes.Call, HelperTable.Method(i.Helper));
        St(i.Dst);
    }

    void EmitOp(in IrInstr i, int block, int group)
    {
        var il = _il;
        switch (i.Op)
        {
            case IrOp.Nop: break;
            case IrOp.Const: il.Emit(OpCodes.Ldc_I8, i.Imm); St(i.Dst); break;
            case IrOp.Mov: Ld(i.A); St(i.Dst); break;
            case IrOp.LoadState:
                LoadState(i.Imm, i.Size);
                St(i.Dst);
                break;
            case IrOp.StoreState:
                StoreState(i.Imm, i.Size, i.A);
                break;
            case IrOp.Add: Bin(i, OpCodes.Add); break;
            case IrOp.Sub: Bin(i, OpCodes.Sub); break;
            case IrOp.And: Bin(i, OpCodes.And); break;
            case IrOp.Or: Bin(i, OpCodes.Or); break;
            case IrOp.Xor: Bin(i, OpCodes.Xor); break;
            case IrOp.Mul: Bin(i, OpCodes.Mul); break;
            case IrOp.Shl: Shift(i, OpCodes.Shl); break;
            case IrOp.Shr: Shift(i, OpCodes.Shr_Un); break;
            case IrOp.Sar: Shift(i, OpCodes.Shr); break;
            case IrOp.Rol or IrOp.Ror: Rotate(i); break;
            case IrOp.MulHiU: Ld(i.A); Ld(i.B); il.Emit(OpCodes.Call, IlBlockCompiler.BigMulU); St(i.Dst); break;
            case IrOp.MulHiS: Ld(i.A); Ld(i.B); il.Emit(OpCodes.Call, IlBlockCompiler.BigMulS); St(i.Dst); break;
            case IrOp.Neg: Ld(i.A); il.Emit(OpCodes.Neg); St(i.Dst); break;
            case IrOp.Not: Ld(i.A); il.Emit(OpCodes.Not); St(i.Dst); break;
            case IrOp.ZExt: Ld(i.A); Truncate(i.Size); St(i.Dst); break;
            case IrOp.SExt:
                Ld(i.A);
                if (i.Size < 8)
                {
                    il.Emit(i.Size switch { 1 => OpCodes.Conv_I1, 2 => OpCodes.Conv_I2, _ => OpCodes.Conv_I4 });
                    il.Emit(OpCodes.Conv_I8);
                }
                St(i.Dst);
                break;
            case IrOp.Bswap: ByteSwap(i); break;
            case IrOp.CmpEq: Cmp(i, OpCodes.Ceq); break;
            case IrOp.CmpNe: CmpNot(i, OpCodes.Ceq); break;
            case IrOp.CmpLtU: Cmp(i, OpCodes.Clt_Un); break;
            case IrOp.CmpLtS: Cmp(i, OpCodes.Clt); break;
            case IrOp.CmpLeU: CmpNot(i, OpCodes.Cgt_Un); break;
            case IrOp.CmpLeS: CmpNot(i, OpCodes.Cgt); break;
            case IrOp.Select:
            {
                var no = il.DefineLabel();
                var done = il.DefineLabel();
                Ld(i.A);
                il.Emit(OpCodes.Brfalse, no);
                Ld(i.B);
                il.Emit(OpCodes.Br, done);
                il.MarkLabel(no);
                Ld(i.C);
                il.MarkLabel(done);
                St(i.Dst);
                break;
            }
            case IrOp.Load when group >= 0: IlMemoryAccess.LoadChecked(il, _memory, i.Size, Local(i.A), _temps[i.Dst], _groupOk[group], FaultPc(i)); break;
            case IrOp.Store when group >= 0: IlMemoryAccess.StoreChecked(il, _memory, i.Size, Local(i.A), Local(i.B), _groupOk[group], FaultPc(i)); break;
            case IrOp.Load: IlMemoryAccess.Load(il, _memory, i.Size, Local(i.A), _temps[i.Dst], _page, FaultPc(i)); break;
            case IrOp.Store: IlMemoryAccess.Store(il, _memory, i.Size, Local(i.A), Local(i.B), _page, FaultPc(i)); break;
            case IrOp.Call:
                if (!TryInlineArith(i)) HelperCall(i);
                break;
            case IrOp.PureCall:
                Ld(i.A);
                Ld(i.B);
                Ld(i.C);
                il.Emit(OpCodes.Ldc_I8, i.Imm);
                il.Emit(OpCodes.Call, HelperTable.Method(i.Helper));
                St(i.Dst);
                break;
            case IrOp.Jump:
                Goto(i.Imm, block);
                break;
            case IrOp.JumpIndirect:
                StatePtr(CpuState.OffRip);
                Ld(i.A);
                il.Emit(OpCodes.Stind_I8);
                ExitIndirect();
                break;
            case IrOp.Branch or IrOp.SideExit:
            {
                // A side exit's fall-through is the rest of the block.
                var no = il.DefineLabel();
                Ld(i.A);
                il.Emit(OpCodes.Brfalse, no);
                Goto(i.Imm, block);
                il.MarkLabel(no);
                if (i.Op == IrOp.Branch) Goto(i.Imm2, block);
                break;
            }
            case IrOp.Syscall:
                SetRip(i.Imm);
                ExitRegion(BlockExit.Syscall);
                break;
            default: throw new InvalidOperationException($"IR op {i.Op} not handled by the IL backend");
        }
    }
}
