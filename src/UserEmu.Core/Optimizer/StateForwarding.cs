using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Optimizer;

/// <summary>Replaces reloads of vCPU state with the temp last stored to (or loaded from) it within the block.</summary>
/// <remarks>Temps are assigned once, so a remembered temp stays valid; helper calls may touch any state and forget everything, but for those marked as writing only vector state (and MXCSR).</remarks>
static class StateForwarding
{
    struct Known
    {
        public long Offset;
        public int Size;
        public ushort Temp;
    }

    public static void Run(Span<IrInstr> code)
    {
        Span<Known> known = stackalloc Known[64];
        int count = 0;
        for (int k = 0; k < code.Length; k++)
        {
            ref var i = ref code[k];
            switch (i.Op)
            {
                case IrOp.LoadState:
                {
                    int hit = Find(known[..count], i.Imm, i.Size);
                    if (hit >= 0)
                    {
                        // A narrower reload of a wider known value is its zero-extended low part.
                        ushort t = known[hit].Temp;
                        i.Op = i.Size == 8 ? IrOp.Mov : IrOp.ZExt;
                        i.A = t;
                        i.Imm = 0;
                    }
                    else
                    {
                        Forget(known, ref count, i.Imm, i.Size);
                        Remember(known, ref count, i.Imm, i.Size, i.Dst);
                    }
                    break;
                }
                case IrOp.StoreState:
                    Forget(known, ref count, i.Imm, i.Size);
                    Remember(known, ref count, i.Imm, i.Size, i.A);
                    break;
                case IrOp.Call when HelperTable.WritesOnlyVectorState(i.Helper):
                {
                    var (start, end) = VectorStateOnlyAttribute.VectorStateArea;
                    Forget(known, ref count, start, (int)(end - start));
                    if (HelperTable.IsVectorAndMxcsr(i.Helper)) Forget(known, ref count, CpuState.OffMxcsr, sizeof(uint));
                    break;
                }
                case IrOp.Call:
                    count = 0;
                    break;
            }
        }
    }

    static int Find(ReadOnlySpan<Known> known, long offset, int size)
    {
        for (int k = 0; k < known.Length; k++)
            if (known[k].Offset == offset && known[k].Size >= size) return k;
        return -1;
    }

    static void Forget(Span<Known> known, ref int count, long offset, int size)
    {
        for (int k = 0; k < count; k++)
        {
            if (known[k].Offset < offset + size && offset < known[k].Offset + known[k].Size)
            {
                known[k] = known[--count];
                k--;
            }
        }
    }

    static void Remember(Span<Known> known, ref int count, long offset, int size, ushort temp)
    {
        if (count == known.Length) count = 0;
        known[count++] = new Known { Offset = offset, Size = size, Temp = temp };
    }
}
