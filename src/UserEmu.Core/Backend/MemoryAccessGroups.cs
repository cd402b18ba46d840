using UserEmu.IR;
using UserEmu.Memory;

namespace UserEmu.Backend.IL;

/// <summary>
/// Guest memory accesses of one block that share a base (the same temp plus different constant offsets, as stack slots
/// and struct fields do): the page check is made once, for the whole span, before the first of them.
/// </summary>
/// <remarks>
/// Page flags change only between blocks (translation, syscalls) or on a slow path, so one check that the span lies in
/// one page with the needed permissions covers every access of the group in this block. When it fails (the span
/// crosses a page, or some access would fault), each access of the group takes the checked slow path, which raises a
/// fault at the right instruction. Offsets are followed through Add/Sub of constants and Mov, so a run of pushes, each
/// from the previous RSP, is one group; a temp defined more than once in the block is never a base.
/// </remarks>
sealed class MemoryAccessGroups
{
    /// <summary>One group: base temp, lowest offset, span in bytes, and the page flags mask/value it needs.</summary>
    public readonly record struct Group(ushort Base, long Low, int Span, PageFlags Mask, PageFlags Need);

    /// <summary>Group index per instruction of the block (-1: not grouped).</summary>
    public int[] GroupOf { get; private set; } = [];
    /// <summary>Per instruction: the group whose check is emitted just before it (its first access), or -1.</summary>
    public int[] CheckAt { get; private set; } = [];
    public List<Group> Groups { get; } = new();

    /// <summary>The widest span one check covers; wider groups are split into single accesses.</summary>
    const int MaxSpan = 1024;

    public void Analyze(PreparedBlock block)
    {
        var code = block.Code;
        int temps = block.TempCount;
        var defs = new byte[temps];
        foreach (ref readonly var i in code.AsSpan())
            if (PreparedBlock.Defines(i.Op) && defs[i.Dst] < 2) defs[i.Dst]++;
        // Temps read before written start from the template: their value is not one of this block's definitions.
        for (int t = block.PureConstants; t < block.Constants.Length; t++) defs[t] = 2;

        var root = new ushort[temps];
        var offset = new long[temps];
        var known = new bool[temps];
        var accesses = new List<(int Index, ushort Base, long Off, int Size, bool Store)>();
        for (int k = 0; k < code.Length; k++)
        {
            ref readonly var i = ref code[k];
            if (i.Op is IrOp.Load or IrOp.Store)
            {
                ushort a = i.A;
                if (a >= block.PureConstants && defs[a] == 1)
                {
                    var (b, off) = known[a] ? (root[a], offset[a]) : (a, 0L);
                    accesses.Add((k, b, off, i.Size, i.Op == IrOp.Store));
                }
                continue;
            }
            if (!PreparedBlock.Defines(i.Op) || defs[i.Dst] != 1) continue;
            ushort d = i.Dst;
            switch (i.Op)
            {
                case IrOp.Add when IsConst(block, i.B) && Stable(block, defs, i.A):
                    Derive(d, i.A, (long)block.Constants[i.B]);
                    break;
                case IrOp.Add when IsConst(block, i.A) && Stable(block, defs, i.B):
                    Derive(d, i.B, (long)block.Constants[i.A]);
                    break;
                case IrOp.Sub when IsConst(block, i.B) && Stable(block, defs, i.A):
                    Derive(d, i.A, -(long)block.Constants[i.B]);
                    break;
                case IrOp.Mov when Stable(block, defs, i.A):
                    Derive(d, i.A, 0);
                    break;
            }
        }

        void Derive(ushort d, ushort from, long add)
        {
            root[d] = known[from] ? root[from] : from;
            offset[d] = (known[from] ? offset[from] : 0) + add;
            known[d] = true;
        }

        Groups.Clear();
        GroupOf = new int[code.Length];
        CheckAt = new int[code.Length];
        for (int k = 0; k < code.Length; k++) GroupOf[k] = CheckAt[k] = -1;
        foreach (var byBase in accesses.GroupBy(x => x.Base))
        {
            var list = byBase.ToList();
            if (list.Count < 2) continue;
            long low = list.Min(x => x.Off), high = list.Max(x => x.Off + x.Size);
            if (high - low > MaxSpan) continue;
            bool loads = list.Any(x => !x.Store), stores = list.Any(x => x.Store);
            var mask = (loads ? PageFlags.Read : 0) | (stores ? PageFlags.Write | PageFlags.HasCode : 0);
            var need = (loads ? PageFlags.Read : 0) | (stores ? PageFlags.Write : 0);
            int g = Groups.Count;
            Groups.Add(new Group(byBase.Key, low, (int)(high - low), mask, need));
            CheckAt[list[0].Index] = g;
            foreach (var x in list) GroupOf[x.Index] = g;
        }
    }

    static bool IsConst(PreparedBlock block, ushort t) => t < block.PureConstants;

    static bool Stable(PreparedBlock block, byte[] defs, ushort t) => t >= block.PureConstants && defs[t] == 1;
}
