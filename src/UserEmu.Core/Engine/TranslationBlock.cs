using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Engine;

/// <summary>Host code compiled from one block's IR: runs it and returns a <see cref="BlockExit"/> as int.</summary>
public unsafe delegate int CompiledBlock(Vcpu cpu, CpuState* state);

/// <summary>A translated guest block: its prepared IR (run by the interpreter while cold), its native code once warm, and its compiled region once hot.</summary>
/// <remarks>A prepared block itself rather than holding one: cc1 keeps ~120k blocks, and the second object cost each 40
/// bytes (a header, a reference, the PC and end again).</remarks>
public sealed partial class TranslationBlock : PreparedBlock
{
    /// <summary>The process whose code the block was translated from (to translate it again: TranslationBlock.DroppedIr.cs).</summary>
    readonly GuestProcess _process;

    public TranslationBlock(IrBlock ir, GuestProcess process) : base(ir) => _process = process;

    /// <summary>A block from the persistent code cache, whose guest pages were found unchanged: it translates again to the same IR.</summary>
    internal TranslationBlock(in CodeCache.CodeCacheRecord stored, byte[]? packed, GuestProcess process)
        : base(stored.Pc, stored.GuestLength, packed, stored.OpCount, stored.TempCount, stored.ConstantCount, stored.PureConstants, stored.FlagsDeadAtExit)
    {
        _process = process;
        Reproducible = true;
        InCodeCache = true;
    }

    /// <summary>Whether the persistent code cache holds the block's IR (loaded from it, or kept for the next run): only then is its native code worth keeping.</summary>
    internal bool InCodeCache;

    public ulong Pc => GuestPc;
    public ulong End => GuestEnd;
    public CompiledBlock? Compiled;
    /// <summary>The block's machine code from the native tier once it is warm (see <see cref="Backend.Native.NativeBlockCompiler"/>).</summary>
    public volatile Backend.Native.NativeCode? Native;
    /// <summary>The claims taken on the block (<see cref="NativeClaim"/>, <see cref="CompileClaim"/>), as bits: one int where two cost a block 8 bytes.</summary>
    public int Claims;
    /// <summary>Claim bits: taken by the one thread that translates this block to native code, and by the one that compiles its region.</summary>
    public const int NativeClaim = 1, CompileClaim = 2;
    /// <summary>Interpreted runs so far; once the block is native its runs are counted in <see cref="Backend.Native.RegionCounter.Runs"/> (not atomic: threads racing on a cold block may lose counts, which only delays compiling).</summary>
    public int ExecCount;
    /// <summary>The blocks this one last continued to, so the dispatcher finds the next block without a lookup (QEMU's chaining, for the interpreter).</summary>
    public TranslationBlock? Next0, Next1;
    /// <summary>Cleared when the guest code it came from is overwritten or unmapped.</summary>
    public volatile bool Valid = true;

    /// <summary>True for exactly one caller per claim bit; the plain read first keeps a claim already taken (a translation given up) from costing an atomic op per run.</summary>
    public bool TakeClaim(int claim) => (Claims & claim) == 0 && (Interlocked.Or(ref Claims, claim) & claim) == 0;

    /// <summary>Gives a claim back (a translation queued too late, or lost with the compile thread at fork).</summary>
    public void ReleaseClaim(int claim) => Interlocked.And(ref Claims, ~claim);

    /// <summary>Marks the block stale: lookups translate again, and native code no longer chains to it.</summary>
    /// <param name="mayBeRunning">A thread may be inside the block's native code and its guest code can still be read (a write
    /// about to change it; not a flush, with every other thread parked, nor an unmapping or protection change, after which
    /// the host memory may be unreadable): its IR, if dropped, is packed again now, from the code as it was.</param>
    public void Invalidate(bool mayBeRunning)
    {
        Valid = false;
        if (mayBeRunning) KeepIrAfterInvalidation();
        Next0 = Next1 = null;
        // Chained code must no longer reach the block's code.
        Native?.Invalidate(Pc, _process.NativeCode.Jumps);
        Native = null;
    }
}
