using UserEmu.IR;
using UserEmu.Memory;

namespace UserEmu.Backend;

/// <summary>
/// Guest memory accesses of one block that share a base (the same temp plus different constant offsets, as stack slots
/// and struct fields do): the page check is made once, for the whole span, before the first of them.
/// </summary>
/// <remarks>
/// Page flags change only between blocks (translation, syscalls) or on a slow path, so one check that the span lies in
/// one page with the needed permissions covers every access of the group in this block. When it fails (the span
/// crosses a page, or some access would fault), each access of the group is checked on its own, which raises a fault
/// at the right instruction: in an IL region each takes the checked slow path, native code ends the block in the
/// interpreter (NativeBlockCompiler.CheckGroup, whose check is bounds and code pages only: page faults are the host's). Offsets are followed through Add/Sub of constants and Mov, so a run of pushes, each
/// from the previous RSP, is one group; a temp defined more than once in the block is never a base. Used by the IL
/// regions and the native tier; runs once per translated block, so it reuses its arrays and makes no LINQ garbage, and
/// keeps plain arrays rather than List&lt;T&gt; of its structs (framework generics over our types have no ReadyToRun
/// code: the first native compile, at start-up, would JIT-compile them).
/// </remarks>
sealed class MemoryAccessGroups
{
    /// <summary>One group: base temp, lowest offset, span in bytes, the page flags mask/value it needs, and how many accesses it has.</summary>
    public readonly record struct Group(ushort Base, long Low, int Span, PageFlags Mask, PageFlags Need, int Accesses)
    {
        /// <summary>Some access of the group writes.</summary>
        public bool Stores => (Need & PageFlags.Write) != 0;
    }

    readonly record struct Access(int Index, ushort Base, long Offset, int Size, bool Store);

    /// <summary>Group index per instruction of the block (-1: not grouped).</summary>
    public int[] GroupOf { get; private set; } = [];
    /// <summary>Per instruction: the group whose check is emitted just before it (its first access), or -1.</summary>
    public int[] CheckAt { get; private set; } = [];
    /// <summary>Per grouped access: its address's offset from the group's base.</summary>
    public long[] OffsetOf { get; private set; } = [];
    /// <summary>The groups found, <see cref="GroupCount"/> of them.</summary>
    public Group[] Groups => _groups;
    public int GroupCount { get; private set; }

    /// <summary>The widest span one check covers; wider groups are split into single accesses.</summary>
    public const int MaxSpan = 1024;

    byte[] _defs = [];
    ushort[] _root = [];
    long[] _offset = [];
    bool[] _known = [];
    Group[] _groups = new Group[8];
    Access[] _accesses = new Access[16];
    int _accessCount;
    ushort[] _bases = new ushort[16];

    /// <summary>Finds the block's groups; with <paramref name="singles"/>, an access alone at a non-zero offset from its base is a group too.</summary>
    /// <remarks>
    /// Native code folds a grouped access's offset into its addressing mode (NativeBlockCompiler.FoldAddresses), so a
    /// load at [base + 0x18] no longer waits for an add of its own: that add sat in every pointer chase's chain of
    /// dependent loads (lua's interpreter, cc1's trees).
    /// </remarks>
    public void Analyze(PreparedBlock block, bool singles = false)
    {
        var code = block.Code;
        int temps = block.TempCount;
        if (_defs.Length < temps)
        {
            _defs = new byte[temps];
            _root = new ushort[temps];
            _offset = new long[temps];
            _known = new bool[temps];
        }
        var defs = _defs;
        Array.Clear(defs, 0, temps);
        Array.Clear(_known, 0, temps);
        foreach (ref readonly var i in code.AsSpan())
            if (PreparedBlock.Defines(i.Op) && defs[i.Dst] < 2) defs[i.Dst]++;
        // Temps read before written start from the template: their value is not one of this block's definitions.
        for (int t = block.PureConstants; t < block.Constants.Length; t++) defs[t] = 2;

        _accessCount = 0;
        for (int k = 0; k < code.Length; k++)
        {
            ref readonly var i = ref code[k];
            if (i.Op is IrOp.Load or IrOp.Store)
            {
                ushort a = i.A;
                if (a >= block.PureConstants && defs[a] == 1)
                {
                    if (_accessCount == _accesses.Length) Array.Resize(ref _accesses, 2 * _accessCount);
                    _accesses[_accessCount++] = _known[a] ? new Access(k, _root[a], _offset[a], i.Size, i.Op == IrOp.Store) : new Access(k, a, 0, i.Size, i.Op == IrOp.Store);
                }
                continue;
            }
            if (!PreparedBlock.Defines(i.Op) || defs[i.Dst] != 1) continue;
            switch (i.Op)
            {
                case IrOp.Add when IsConst(block, i.B) && Stable(block, i.A):
                    Derive(i.Dst, i.A, (long)block.Constants[i.B]);
                    break;
                case IrOp.Add when IsConst(block, i.A) && Stable(block, i.B):
                    Derive(i.Dst, i.B, (long)block.Constants[i.A]);
                    break;
                case IrOp.Sub when IsConst(block, i.B) && Stable(block, i.A):
                    Derive(i.Dst, i.A, -(long)block.Constants[i.B]);
                    break;
                case IrOp.Mov when Stable(block, i.A):
                    Derive(i.Dst, i.A, 0);
                    break;
            }
        }

        GroupCount = 0;
        if (GroupOf.Length < code.Length)
        {
            GroupOf = new int[code.Length];
            CheckAt = new int[code.Length];
            OffsetOf = new long[code.Length];
        }
        for (int k = 0; k < code.Length; k++) GroupOf[k] = CheckAt[k] = -1;
        // The bases in order of their first access; each makes a group if two or more accesses fit one span.
        if (_bases.Length < _accessCount) _bases = new ushort[_accesses.Length];
        int baseCount = 0;
        for (int n = 0; n < _accessCount; n++)
        {
            ushort b = _accesses[n].Base;
            int seen = 0;
            while (seen < baseCount && _bases[seen] != b) seen++;
            if (seen == baseCount) _bases[baseCount++] = b;
        }
        for (int nb = 0; nb < baseCount; nb++)
        {
            ushort root = _bases[nb];
            int count = 0, first = -1;
            long low = long.MaxValue, high = long.MinValue;
            bool loads = false, stores = false;
            for (int n = 0; n < _accessCount; n++)
            {
                ref readonly var x = ref _accesses[n];
                if (x.Base != root) continue;
                if (first < 0) first = x.Index;
                count++;
                low = Math.Min(low, x.Offset);
                high = Math.Max(high, x.Offset + x.Size);
                if (x.Store) stores = true;
                else loads = true;
            }
            if ((count < 2 && !(singles && low != 0)) || high - low > MaxSpan) continue;
            var mask = (loads ? PageFlags.Read : 0) | (stores ? PageFlags.Write | PageFlags.HasCode : 0);
            var need = (loads ? PageFlags.Read : 0) | (stores ? PageFlags.Write : 0);
            int g = GroupCount++;
            if (g == _groups.Length) Array.Resize(ref _groups, 2 * g);
            _groups[g] = new Group(root, low, (int)(high - low), mask, need, count);
            CheckAt[first] = g;
            for (int n = 0; n < _accessCount; n++)
            {
                ref readonly var x = ref _accesses[n];
                if (x.Base != root) continue;
                GroupOf[x.Index] = g;
                OffsetOf[x.Index] = x.Offset;
            }
        }
    }

    /// <summary>Whether temp <paramref name="t"/> is a base temp plus a constant (through Add/Sub of constants and Mov), and which.</summary>
    public bool BaseOf(ushort t, out ushort root, out long offset)
    {
        bool known = t < _known.Length && _known[t];
        root = known ? _root[t] : t;
        offset = known ? _offset[t] : 0;
        return known;
    }

    void Derive(ushort d, ushort from, long add)
    {
        _root[d] = _known[from] ? _root[from] : from;
        _offset[d] = (_known[from] ? _offset[from] : 0) + add;
        _known[d] = true;
    }

    static bool IsConst(PreparedBlock block, ushort t) => t < block.PureConstants;

    bool Stable(PreparedBlock block, ushort t) => t >= block.PureConstants && _defs[t] == 1;
}
