using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using UserEmu.Memory;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: rep movs and rep stos as the host's own rep movs/stos.
// They handed back to the managed side at every run (StringHelpers.Run): ~1M times in the strings workload and 860k in
// cc1, a runner exit and re-entry each. The host instruction is the guest's, so with the direction flag clear, both
// ranges inside the guest's reservation and their pages readable (source) or writable without translated code
// (destination), copying or filling in one go leaves memory and RCX/RSI/RDI as the guest's would. A destination ahead
// of the source within the copy, a run over StringHelpers' bulk limit, and everything else go to the helper.
public sealed unsafe partial class NativeBlockCompiler
{
    /// <summary>Most bytes one run copies or fills here (as StringHelpers' bulk runs: bounds the page checks).</summary>
    const int MaxInlineStringBytes = 1 << 20;

    // rep movs/stos with 64-bit addresses and no segment override (StringHelpers.Encode).
    static bool InlineStringOp(in IrInstr i)
    {
        if (i.Op != IrOp.Call || i.Helper != s_stringOp) return false;
        var form = StringHelpers.Form.Decode(i.Imm);
        return form.Op is StringHelpers.Op.Movs or StringHelpers.Op.Stos && form.Rep != StringHelpers.RepNone && !form.Addr32
            && form.Seg == StringHelpers.SegNone;
    }

    void StringOp(in IrInstr i, int k)
    {
        var form = StringHelpers.Form.Decode(i.Imm);
        bool movs = form.Op == StringHelpers.Op.Movs;
        int shift = System.Numerics.BitOperations.Log2((uint)form.Size);
        int stub = NewStub(k), done = NewLabel();
        var count = StateOperand(CpuState.GprOffset(CpuState.RCX));
        var dst = StateOperand(CpuState.GprOffset(CpuState.RDI));
        var src = StateOperand(CpuState.GprOffset(CpuState.RSI));
        _rax = -1;
        E(Instruction.Create(Code.Mov_r64_rm64, RCX, count));
        E(Instruction.Create(Code.Test_rm64_r64, RCX, RCX));
        JumpTo(Code.Je_rel32_64, done);
        E(Instruction.Create(Code.Cmp_rm32_imm8, StateOperand(CpuState.OffDfStep), 1));
        JumpTo(Code.Jne_rel32_64, stub);
        E(Instruction.Create(Code.Cmp_rm64_imm32, RCX, MaxInlineStringBytes >> shift));
        JumpTo(Code.Ja_rel32_64, stub);
        if (shift > 0) E(Instruction.Create(Code.Shl_rm64_imm8, RCX, shift));
        // rcx = bytes; each range checked with rax = its start.
        E(Instruction.Create(Code.Mov_r64_rm64, RAX, dst));
        RequirePages(stub, write: true);
        if (movs)
        {
            E(Instruction.Create(Code.Mov_r64_rm64, RAX, src));
            RequirePages(stub, write: false);
            // A destination 1..len-1 bytes ahead of the source: the helper (element by element).
            E(Instruction.Create(Code.Mov_r64_rm64, RDX, dst));
            E(Instruction.Create(Code.Sub_r64_rm64, RDX, RAX));
            int apart = NewLabel();
            JumpTo(Code.Je_rel32_64, apart);
            E(Instruction.Create(Code.Cmp_r64_rm64, RDX, RCX));
            JumpTo(Code.Jb_rel32_64, stub);
            _labels[apart] = _buf.Length;
        }
        // rdi and rsi are the state and the temps here: kept in r11 and rdx across the host instruction.
        E(Instruction.Create(Code.Mov_r64_rm64, R11, RDI));
        E(Instruction.Create(Code.Mov_r64_rm64, RDX, RSI));
        E(Instruction.Create(Code.Mov_r64_rm64, RCX, StateOperand(CpuState.GprOffset(CpuState.RCX), R11)));
        E(Instruction.Create(Code.Mov_r64_rm64, RDI, StateOperand(CpuState.GprOffset(CpuState.RDI), R11)));
        E(Instruction.Create(Code.Add_r64_rm64, RDI, R8));
        if (movs)
        {
            E(Instruction.Create(Code.Mov_r64_rm64, RSI, StateOperand(CpuState.GprOffset(CpuState.RSI), R11)));
            E(Instruction.Create(Code.Add_r64_rm64, RSI, R8));
            E(RepString(movs: true, shift));
            E(Instruction.Create(Code.Sub_r64_rm64, RSI, R8));
            E(Instruction.Create(Code.Mov_rm64_r64, StateOperand(CpuState.GprOffset(CpuState.RSI), R11), RSI));
        }
        else
        {
            E(Instruction.Create(Code.Mov_r64_rm64, RAX, StateOperand(CpuState.GprOffset(CpuState.RAX), R11)));
            E(RepString(movs: false, shift));
        }
        E(Instruction.Create(Code.Sub_r64_rm64, RDI, R8));
        E(Instruction.Create(Code.Mov_rm64_r64, StateOperand(CpuState.GprOffset(CpuState.RDI), R11), RDI));
        E(Instruction.Create(Code.Mov_rm64_r64, StateOperand(CpuState.GprOffset(CpuState.RCX), R11), RCX));
        E(Instruction.Create(Code.Mov_r64_rm64, RDI, R11));
        E(Instruction.Create(Code.Mov_r64_rm64, RSI, RDX));
        Bind(done);
        HelperReturnedZero(i.Dst);
        ResumeHere(k);
    }

    static Instruction RepString(bool movs, int shift) => (movs, shift) switch
    {
        (true, 0) => Instruction.CreateRepMovsb(64),
        (true, 1) => Instruction.CreateRepMovsw(64),
        (true, 2) => Instruction.CreateRepMovsd(64),
        (true, _) => Instruction.CreateRepMovsq(64),
        (false, 0) => Instruction.CreateRepStosb(64),
        (false, 1) => Instruction.CreateRepStosw(64),
        (false, 2) => Instruction.CreateRepStosd(64),
        _ => Instruction.CreateRepStosq(64),
    };

    // Jumps to `stub` unless guest bytes [rax, rax + rcx) (rcx > 0) lie inside the reservation on pages that are
    // readable, or writable and hold no translated code. Keeps rax and rcx; uses rdx and r11.
    void RequirePages(int stub, bool write)
    {
        E(Instruction.Create(Code.Mov_r64_rm64, RDX, RAX));
        E(Instruction.Create(Code.Add_r64_rm64, RDX, RCX));
        JumpTo(Code.Jb_rel32_64, stub);
        // The end, less 8, at most the highest start of an 8-byte access (an end below 8 wraps and fails too).
        E(Instruction.Create(Code.Lea_r64_m, R11, new MemoryOperand(RDX, -8)));
        E(Instruction.Create(Code.Cmp_r64_rm64, R11, GuestLimit));
        JumpTo(Code.Ja_rel32_64, stub);
        // r11 = the first page's flags, rdx = the last one's.
        E(Instruction.Create(Code.Sub_rm64_imm8, RDX, 1));
        E(Instruction.Create(Code.Shr_rm64_imm8, RDX, GuestAddressSpace.PageShift));
        E(Instruction.Create(Code.Add_r64_rm64, RDX, PageTable));
        E(Instruction.Create(Code.Mov_r64_rm64, R11, RAX));
        E(Instruction.Create(Code.Shr_rm64_imm8, R11, GuestAddressSpace.PageShift));
        E(Instruction.Create(Code.Add_r64_rm64, R11, PageTable));
        int page = NewLabel();
        _labels[page] = _buf.Length;
        var flags = new MemoryOperand(R11);
        if (write)
        {
            E(Instruction.Create(Code.Test_rm8_imm8, flags, (int)PageFlags.HasCode));
            JumpTo(Code.Jne_rel32_64, stub);
        }
        E(Instruction.Create(Code.Test_rm8_imm8, flags, (int)(write ? PageFlags.Write : PageFlags.Read)));
        JumpTo(Code.Je_rel32_64, stub);
        E(Instruction.Create(Code.Inc_rm64, R11));
        E(Instruction.Create(Code.Cmp_r64_rm64, R11, RDX));
        JumpTo(Code.Jbe_rel32_64, page);
    }
}
