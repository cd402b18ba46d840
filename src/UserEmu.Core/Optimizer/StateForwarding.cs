using System.Numerics;
using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Optimizer;

/// <summary>Replaces reloads of vCPU state with the temp last stored to (or loaded from) it within the block.</summary>
/// <remarks>
/// Temps are assigned once, so a remembered temp stays valid; helper calls may touch any state and forget everything,
/// but for those marked as writing only vector state (and MXCSR).
/// <para>The known fields never overlap (each is remembered after forgetting what it overlaps), in up to 64 slots. A
/// lookup visits only the slots whose field was remembered over the 8-byte state units it asks about: scanning every
/// known field at each LoadState and StoreState (StateForwarding.Forget) was 2.6% of a python3 -c pass's vCPU thread.
/// A unit's bits are set when a field is remembered and not cleared when it is forgotten (the live mask filters them,
/// and a slot reused elsewhere is only a candidate that fails the overlap test).</para>
/// </remarks>
static class StateForwarding
{
    struct Known
    {
        public long Offset;
        public int Size;
        public ushort Temp;
    }

    // 8-byte units of CpuState; an access reaching outside them looks at every slot.
    static readonly unsafe int Units = (sizeof(CpuState) + 7) / 8;

    ref struct Fields
    {
        public Span<Known> Slots;
        // Per unit, the slots whose field covered it when remembered; the slots in use.
        public Span<ulong> ByUnit;
        public ulong Live;

        public readonly ulong Candidates(long offset, int size)
        {
            long first = offset >> 3, last = (offset + size - 1) >> 3;
            if (offset < 0 || last >= ByUnit.Length) return Live;
            ulong any = 0;
            for (long u = first; u <= last; u++) any |= ByUnit[(int)u];
            return any & Live;
        }

        /// <summary>The slot holding exactly the field at <paramref name="offset"/>, at least <paramref name="size"/> wide; -1 if none.</summary>
        public readonly int Find(long offset, int size)
        {
            for (ulong c = Candidates(offset, 1); c != 0; c &= c - 1)
            {
                int j = BitOperations.TrailingZeroCount(c);
                if (Slots[j].Offset == offset && Slots[j].Size >= size) return j;
            }
            return -1;
        }

        public void Forget(long offset, int size)
        {
            for (ulong c = Candidates(offset, size); c != 0; c &= c - 1)
            {
                int j = BitOperations.TrailingZeroCount(c);
                if (Slots[j].Offset < offset + size && offset < Slots[j].Offset + Slots[j].Size) Live &= ~(1UL << j);
            }
        }

        public void Remember(long offset, int size, ushort temp)
        {
            if (Live == ulong.MaxValue) Live = 0;
            int j = BitOperations.TrailingZeroCount(~Live);
            Live |= 1UL << j;
            Slots[j] = new Known { Offset = offset, Size = size, Temp = temp };
            // Over the units it covers inside the table (an access reaching outside looks at every slot anyway).
            long first = Math.Max(offset >> 3, 0), last = Math.Min((offset + size - 1) >> 3, ByUnit.Length - 1);
            for (long u = first; u <= last; u++) ByUnit[(int)u] |= 1UL << j;
        }
    }

    public static void Run(Span<IrInstr> code)
    {
        var known = new Fields { Slots = stackalloc Known[64], ByUnit = stackalloc ulong[Units] };
        for (int k = 0; k < code.Length; k++)
        {
            ref var i = ref code[k];
            switch (i.Op)
            {
                case IrOp.LoadState:
                {
                    int hit = known.Find(i.Imm, i.Size);
                    if (hit >= 0)
                    {
                        // A narrower reload of a wider known value is its zero-extended low part.
                        ushort t = known.Slots[hit].Temp;
                        i.Op = i.Size == 8 ? IrOp.Mov : IrOp.ZExt;
                        i.A = t;
                        i.Imm = 0;
                    }
                    else
                    {
                        known.Forget(i.Imm, i.Size);
                        known.Remember(i.Imm, i.Size, i.Dst);
                    }
                    break;
                }
                case IrOp.StoreState:
                    known.Forget(i.Imm, i.Size);
                    known.Remember(i.Imm, i.Size, i.A);
                    break;
                case IrOp.Call when HelperTable.WritesOnlyVectorState(i.Helper):
                {
                    var (start, end) = VectorStateOnlyAttribute.VectorStateArea;
                    known.Forget(start, (int)(end - start));
                    if (HelperTable.IsVectorAndMxcsr(i.Helper)) known.Forget(CpuState.OffMxcsr, sizeof(uint));
                    break;
                }
                case IrOp.Call:
                    known.Live = 0;
                    break;
            }
        }
    }
}
