using UserEmu.IR;

namespace UserEmu.Engine;

/// <summary>A guest ISA's decoder and lowering to IR (one per guest architecture).</summary>
public interface IGuestFrontend
{
    /// <summary>Translates the block starting at <paramref name="pc"/>. Never throws for bad code: it emits IR that raises the guest signal.</summary>
    /// <param name="transient">The caller is done with the block before this thread's next translation (the dispatch
    /// loop, which prepares it at once): its code array may be reused then.</param>
    /// <param name="knownEnd">Not 0: the block is translated again (its IR was dropped, see <see cref="TranslationBlock.Restore"/>)
    /// and must come out as it did the first time, so it ends at this address whatever the translation cache holds now.</param>
    /// <param name="alone">Translate only the instruction at <paramref name="pc"/> (it stores into the code after it, see <see cref="Vcpu.AloneAt"/>).</param>
    IrBlock Translate(Vcpu cpu, ulong pc, bool transient = false, ulong knownEnd = 0, bool alone = false);

    /// <summary>Disassembly of the guest instructions of a block for <c>-d in_asm</c>.</summary>
    string Disassemble(Vcpu cpu, ulong pc, ulong end);

    /// <summary>
    /// What the guest's system-call instruction does to its registers besides leaving the block, done by the dispatch
    /// loop just before the call (a helper call in the block had cost native code a trip out and back per syscall).
    /// </summary>
    void EnterSyscall(Vcpu cpu) { }
}
