using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Frontend.X86;

/// <summary>Vector (XMM) operand access: registers live in <see cref="CpuState.Ymm"/>, memory operands are staged in a scratch slot.</summary>
/// <remarks>
/// Moves and bitwise ops are lowered to pairs of 64-bit IR values; everything else calls a helper that works on
/// register indices packed by <see cref="VecImm"/>, so a helper never decodes the instruction at run time.
/// </remarks>
public sealed partial class X86Emitter
{
    /// <summary>Index 0..15 of an XMM or YMM register; XMM16.. name the scratch slots (VEX lowering rewrites operands to them).</summary>
    public static int VecIndex(Register r)
    {
        int index = r.IsYMM() ? r - Register.YMM0 : r - Register.XMM0;
        // Helpers index CpuState.Ymm with this: anything else would reach past the vCPU state.
        if ((uint)index >= CpuState.VecScratch0 + CpuState.VecScratchCount)
            throw new InvalidOperationException($"{r} is not a vector register 0-15 or a scratch slot");
        return index;
    }

    /// <summary>The Iced XMM register that <see cref="VecIndex"/> maps to <paramref name="index"/> (a scratch slot for 16..).</summary>
    public static Register XmmRegister(int index) => Register.XMM0 + index;

    /// <summary>Vector register index of operand <paramref name="n"/>, which must be a register.</summary>
    public int VecReg(int n) => VecIndex(Insn.GetOpRegister(n));

    /// <summary>
    /// Vector register index holding operand <paramref name="n"/>: the register itself, or scratch slot
    /// <paramref name="scratch"/> after loading <paramref name="bytes"/> bytes of the memory operand into it.
    /// </summary>
    public int VecSource(int n, int bytes, int scratch = CpuState.VecScratch0)
    {
        if (IsReg(n)) return VecReg(n);
        LoadVec(scratch, Ea(), bytes);
        return scratch;
    }

    /// <summary>Loads 32 bytes at <paramref name="ea"/> into the whole YMM register or slot <paramref name="reg"/>; every load before any store.</summary>
    public void LoadYmm(int reg, ushort ea)
    {
        int off = CpuState.XmmOffset(reg);
        Span<ushort> parts = stackalloc ushort[4];
        for (int i = 0; i < 4; i++) parts[i] = B.Load(i == 0 ? ea : B.AddImm(ea, i * 8), 8);
        for (int i = 0; i < 4; i++) B.StoreState(off + i * 8, 8, parts[i]);
    }

    /// <summary>
    /// Probes the pages of a <paramref name="bytes"/>-byte store at <paramref name="ea"/> before any of it is written:
    /// its first byte, then the start of the page holding its last byte when that page is a different one, so a
    /// fault reports the first inaccessible byte as the CPU does.
    /// </summary>
    /// <remarks>The probes are reads: a store running from a writable into a read-only page writes its first part.</remarks>
    public void ProbeStore(ushort ea, int bytes)
    {
        B.Load(ea, 1);
        ushort lastPage = B.AndImm(B.AddImm(ea, bytes - 1), ~0xFFFL);
        ushort crossing = B.Binary(IrOp.CmpNe, B.AndImm(B.Xor(ea, lastPage), ~0xFFFL), B.Const(0));
        B.Load(B.Select(crossing, lastPage, ea), 1);
    }

    /// <summary>Stores the 32 bytes of YMM register <paramref name="reg"/> at <paramref name="ea"/>, probing first (<see cref="ProbeStore"/>).</summary>
    public void StoreYmm(int reg, ushort ea)
    {
        int off = CpuState.XmmOffset(reg);
        Span<ushort> parts = stackalloc ushort[4];
        for (int i = 0; i < 4; i++) parts[i] = B.LoadState(off + i * 8, 8);
        ProbeStore(ea, 32);
        for (int i = 0; i < 4; i++) B.Store(i == 0 ? ea : B.AddImm(ea, i * 8), parts[i], 8);
    }

    /// <summary>Copies 16 bytes of vector state from state offset <paramref name="srcOff"/> to <paramref name="dstOff"/>.</summary>
    public void CopyState16(int dstOff, int srcOff)
    {
        if (dstOff == srcOff) return;
        ushort lo = B.LoadState(srcOff, 8), hi = B.LoadState(srcOff + 8, 8);
        B.StoreState(dstOff, 8, lo);
        B.StoreState(dstOff + 8, 8, hi);
    }

    /// <summary>Zeroes bits 255:128 of YMM register <paramref name="reg"/>, as every VEX.128 write does.</summary>
    public void ZeroUpper(int reg)
    {
        ushort zero = B.Const(0);
        B.StoreState(CpuState.XmmOffset(reg) + 16, 8, zero);
        B.StoreState(CpuState.XmmOffset(reg) + 24, 8, zero);
    }

    /// <summary>
    /// <paramref name="ea"/> if it is a multiple of <paramref name="alignment"/> (a power of two), else made
    /// non-canonical so that the access raises #GP, as <see cref="Aligned16"/>.
    /// </summary>
    public ushort AlignedTo(ushort ea, int alignment)
    {
        ushort misaligned = B.Binary(IrOp.CmpNe, B.AndImm(ea, alignment - 1), B.Const(0));
        return B.Xor(ea, B.ShlImm(misaligned, 63));
    }

    /// <summary>
    /// Runs <paramref name="emitter"/> as if the instruction were <paramref name="synthetic"/> (a legacy form with
    /// operands rewritten, see VEX lowering), then returns to the real instruction.
    /// </summary>
    public void EmitAs(in Instruction synthetic, InsnEmitter emitter)
    {
        var saved = Insn;
        long savedIndex = _insnIndex;
        // The memory operand is the same in both, so an effective address already computed stays valid.
        Insn = synthetic;
        _insnIndex = -1;
        try { emitter(this); }
        finally
        {
            Insn = saved;
            _insnIndex = savedIndex;
        }
    }

    /// <summary>Loads <paramref name="bytes"/> (4, 8 or 16) bytes at <paramref name="ea"/> into the low bytes of vector register <paramref name="reg"/>, leaving the rest alone.</summary>
    public void LoadVec(int reg, ushort ea, int bytes)
    {
        int off = CpuState.XmmOffset(reg);
        if (bytes == 16)
        {
            // Both loads before either store: a fault in the high half leaves the register untouched.
            ushort lo = B.Load(ea, 8);
            ushort hi = B.Load(B.AddImm(ea, 8), 8);
            B.StoreState(off, 8, lo);
            B.StoreState(off + 8, 8, hi);
        }
        else
        {
            B.StoreState(off, bytes, B.Load(ea, bytes));
        }
    }

    /// <summary>Stores the low <paramref name="bytes"/> bytes of vector register <paramref name="reg"/> at <paramref name="ea"/>.</summary>
    public void StoreVec(int reg, ushort ea, int bytes)
    {
        int off = CpuState.XmmOffset(reg);
        if (bytes == 16)
        {
            ushort lo = B.LoadState(off, 8);
            ushort hi = B.LoadState(off + 8, 8);
            // Probe first so that a store running into an unmapped page writes nothing.
            ProbeStore(ea, 16);
            B.Store(ea, lo, 8);
            B.Store(B.AddImm(ea, 8), hi, 8);
        }
        else
        {
            B.Store(ea, B.LoadState(off, bytes), bytes);
        }
    }

    /// <summary>Low (<paramref name="half"/> = 0) or high (1) 64 bits of vector register <paramref name="reg"/>.</summary>
    public ushort GetVec64(int reg, int half) => B.LoadState(CpuState.XmmOffset(reg) + half * 8, 8);

    public void SetVec64(int reg, int half, ushort value) => B.StoreState(CpuState.XmmOffset(reg) + half * 8, 8, value);

    /// <summary>Low 32 bits of vector register <paramref name="reg"/>, zero-extended.</summary>
    public ushort GetVec32(int reg) => B.LoadState(CpuState.XmmOffset(reg), 4);

    /// <summary>Writes the low 32 bits of vector register <paramref name="reg"/>, keeping bits 32..127.</summary>
    public void SetVec32(int reg, ushort value) => B.StoreState(CpuState.XmmOffset(reg), 4, value);

    /// <summary>Copies the 16-byte XMM part of <paramref name="src"/> to <paramref name="dst"/>.</summary>
    public void CopyVec(int dst, int src)
    {
        if (dst == src) return;
        ushort lo = GetVec64(src, 0), hi = GetVec64(src, 1);
        SetVec64(dst, 0, lo);
        SetVec64(dst, 1, hi);
    }

    /// <summary>
    /// <paramref name="ea"/> if it is 16-byte aligned, else the same address with bit 63 flipped: non-canonical, so
    /// the access through it raises #GP (SIGSEGV, SI_KERNEL, si_addr 0, as Linux reports it) before touching memory.
    /// </summary>
    /// <remarks>The alignment rule of legacy SSE without a helper call, which would make compiled code write back its state.</remarks>
    public ushort Aligned16(ushort ea)
    {
        ushort misaligned = B.Binary(IrOp.CmpNe, B.AndImm(ea, 15), B.Const(0));
        return B.Xor(ea, B.ShlImm(misaligned, 63));
    }

    /// <summary>The memory operand's address under the 16-byte alignment rule (see <see cref="Aligned16"/>).</summary>
    public ushort AlignedEa() => Aligned16(Ea());

    /// <summary>Raises #GP unless <paramref name="ea"/> is 16-byte aligned, by a one-byte probe through <see cref="Aligned16"/>.</summary>
    /// <remarks>An aligned probe faults exactly where the 16-byte access would. Prefer accessing through <see cref="AlignedEa"/>.</remarks>
    public void CheckAligned16(ushort ea) => B.Load(Aligned16(ea), 1);

    /// <summary>
    /// Reads a legacy-SSE 16-byte memory operand, which must be aligned (every non-VEX SSE instruction except the
    /// explicitly unaligned moves and lddqu), or a register.
    /// </summary>
    public int VecSourceAligned(int n)
    {
        if (IsReg(n)) return VecReg(n);
        LoadVec(CpuState.VecScratch0, AlignedEa(), 16);
        return CpuState.VecScratch0;
    }

    /// <summary>Packs the operands of a vector helper call: destination and source register indices and an immediate byte.</summary>
    public static long VecImm(int dst, int src, int imm8 = 0, int extra = 0) =>
        (long)(uint)dst | (long)(uint)src << 8 | (long)(imm8 & 0xff) << 16 | (long)extra << 24;

    /// <summary>Calls a vector helper on registers <paramref name="dst"/> and <paramref name="src"/> (see <see cref="VecImm"/>).</summary>
    public ushort VecCall(HelperFn fn, int dst, int src, int imm8 = 0, int extra = 0, ushort a = 0, ushort b = 0) =>
        HelperImm(fn, VecImm(dst, src, imm8, extra), a, b);
}
