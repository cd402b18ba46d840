using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Engine;

/// <summary>Host code compiled from one block's IR: runs it and returns a <see cref="BlockExit"/> as int.</summary>
public unsafe delegate int CompiledBlock(Vcpu cpu, CpuState* state);

/// <summary>A translated guest block: its IR (run by the interpreter while cold) and, once hot, its compiled form.</summary>
public sealed class TranslationBlock(IrBlock ir)
{
    public readonly ulong Pc = ir.GuestPc;
    public readonly ulong End = ir.GuestEnd;
    /// <summary>What the interpreter runs while the block is cold and the IL backend compiles once it is hot.</summary>
    public readonly PreparedBlock Code = PreparedBlock.Prepare(ir);
    public CompiledBlock? Compiled;
    /// <summary>Interpreted runs so far (not atomic: threads racing on a cold block may lose counts, which only delays compiling).</summary>
    public int ExecCount;
    /// <summary>Set by the one thread that compiles this block.</summary>
    public int CompileClaimed;
    /// <summary>The blocks this one last continued to, so the dispatcher finds the next block without a lookup (QEMU's chaining, for the interpreter).</summary>
    public TranslationBlock? Next0, Next1;
    /// <summary>Cleared when the guest code it came from is overwritten or unmapped.</summary>
    public volatile bool Valid = true;
}
