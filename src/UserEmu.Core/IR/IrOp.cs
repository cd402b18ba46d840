namespace UserEmu.IR;

/// <summary>Operations of UserEmu's IR: a linear, register-machine code over 64-bit temps, one list per translation block.</summary>
/// <remarks>
/// Operand fields of <see cref="IrInstr"/> used by each op are listed beside it. Values are 64-bit; ops that
/// care about width (loads, stores, extensions, rotates) take <c>Size</c> in bytes (1, 2, 4, 8).
/// Shift counts are taken modulo 64. Comparisons produce 0 or 1.
/// </remarks>
public enum IrOp : byte
{
    Nop,
    /// <summary>Start of guest instruction at Imm. Aux=1 when the instruction can fault (the backend then records the PC).</summary>
    InsnStart,
    /// <summary>Dst = Imm.</summary>
    Const,
    /// <summary>Dst = A.</summary>
    Mov,
    /// <summary>Dst = zero-extended Size bytes of vCPU state at offset Imm.</summary>
    LoadState,
    /// <summary>Low Size bytes of A stored to vCPU state at offset Imm.</summary>
    StoreState,

    Add, Sub, And, Or, Xor,
    /// <summary>Dst = A shifted by (B mod 64).</summary>
    Shl, Shr, Sar,
    /// <summary>Rotate the low Size bytes of A by B (mod Size*8); result zero-extended.</summary>
    Rol, Ror,
    /// <summary>Dst = low 64 bits of A*B.</summary>
    Mul,
    /// <summary>Dst = high 64 bits of the unsigned / signed 128-bit product A*B.</summary>
    MulHiU, MulHiS,
    Neg, Not,
    /// <summary>Dst = A zero-/sign-extended from Size bytes.</summary>
    ZExt, SExt,
    /// <summary>Dst = byte-reversed low Size bytes of A.</summary>
    Bswap,

    /// <summary>Dst = (A op B) ? 1 : 0 on the full 64-bit values.</summary>
    CmpEq, CmpNe, CmpLtU, CmpLeU, CmpLtS, CmpLeS,
    /// <summary>Dst = A != 0 ? B : C.</summary>
    Select,

    /// <summary>Dst = zero-extended Size bytes of guest memory at address A.</summary>
    Load,
    /// <summary>Low Size bytes of B stored to guest memory at address A.</summary>
    Store,
    /// <summary>Dst = helper #Helper(vcpu, A, B, Imm). See <see cref="HelperTable"/>.</summary>
    Call,
    /// <summary>Dst = pure helper #Helper(A, B, C, Imm): a function of its operands only (no vCPU state, memory or faults), so the optimiser may move, fold or drop it like any other pure op.</summary>
    PureCall,

    /// <summary>Block exit: continue at guest address Imm.</summary>
    Jump,
    /// <summary>Block exit: continue at guest address A.</summary>
    JumpIndirect,
    /// <summary>Block exit: continue at Imm if A != 0, else at Imm2.</summary>
    Branch,
    /// <summary>Block exit: the guest executed a system call; resume at Imm afterwards.</summary>
    Syscall,
    /// <summary>
    /// Side exit of a superblock: leave for guest address Imm if A != 0, else go on with the next op (the fall-through
    /// path of a guest jcc, translated in the same block). Aux = 1: no code at Imm reads the lazy-flag state before
    /// setting it, so this exit does not observe it.
    /// </summary>
    SideExit,
}
