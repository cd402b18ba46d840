using Iced.Intel;
using UserEmu.Cpu.X86;
using static UserEmu.Cpu.X86.StringHelpers;

namespace UserEmu.Frontend.X86;

/// <summary>String instructions: movs, stos, lods, cmps, scas in all sizes, with rep/repe/repne.</summary>
/// <remarks>
/// A single (unrepeated) element with 64-bit addressing is plain IR; repeated forms and 32-bit addressing run in
/// <see cref="StringHelpers.Run"/>, which keeps RCX/RSI/RDI exact at every element for restartable faults.
/// movsd and cmpsd share their mnemonics with SSE2 instructions, so those two entries chain to whatever emitter
/// was registered before for the SSE forms.
/// </remarks>
static class InstEmitString
{
    public static void Install(X86EmitterTable t)
    {
        Add(t, Op.Movs, (Mnemonic.Movsb, 1), (Mnemonic.Movsw, 2), (Mnemonic.Movsq, 8));
        Add(t, Op.Stos, (Mnemonic.Stosb, 1), (Mnemonic.Stosw, 2), (Mnemonic.Stosd, 4), (Mnemonic.Stosq, 8));
        Add(t, Op.Lods, (Mnemonic.Lodsb, 1), (Mnemonic.Lodsw, 2), (Mnemonic.Lodsd, 4), (Mnemonic.Lodsq, 8));
        Add(t, Op.Cmps, (Mnemonic.Cmpsb, 1), (Mnemonic.Cmpsw, 2), (Mnemonic.Cmpsq, 8));
        Add(t, Op.Scas, (Mnemonic.Scasb, 1), (Mnemonic.Scasw, 2), (Mnemonic.Scasd, 4), (Mnemonic.Scasq, 8));
        Chain(t, Mnemonic.Movsd, Code.Movsd_m32_m32, e => Emit(e, Op.Movs, 4));
        Chain(t, Mnemonic.Cmpsd, Code.Cmpsd_m32_m32, e => Emit(e, Op.Cmps, 4));
    }

    static void Add(X86EmitterTable t, Op op, params (Mnemonic M, int Size)[] forms)
    {
        foreach (var (m, size) in forms) t[m] = e => Emit(e, op, size);
    }

    static void Chain(X86EmitterTable t, Mnemonic m, Code stringForm, InsnEmitter emit)
    {
        var other = t[m];
        t[m] = e =>
        {
            if (e.Insn.Code == stringForm) emit(e);
            else if (other != null) other(e);
            else e.Unsupported();
        };
    }

    static void Emit(X86Emitter e, Op op, int size)
    {
        var insn = e.Insn;
        // The string operands are implicit; their kind tells the address size (RSI/RDI, or ESI/EDI with 0x67).
        bool addr32 = false;
        for (int n = 0; n < insn.OpCount; n++)
            addr32 |= insn.GetOpKind(n) is OpKind.MemorySegESI or OpKind.MemoryESEDI or OpKind.MemorySegEDI;
        int rep = insn.HasRepePrefix ? RepE : insn.HasRepnePrefix ? RepNe : RepNone;
        int seg = insn.SegmentPrefix switch { Register.FS => SegFs, Register.GS => SegGs, _ => SegNone };
        if (rep == RepNone && !addr32)
        {
            Once(e, op, size, seg);
            return;
        }
        e.HelperImm(StringHelpers.Run, Encode(op, size, rep, addr32, seg));
    }

    /// <summary>One element in IR: loads and stores first, then the index registers and flags.</summary>
    static void Once(X86Emitter e, Op op, int size, int seg)
    {
        var b = e.B;
        ushort step = b.ShlImm(b.SExt(b.LoadState(CpuState.OffDfStep, 4), 4), System.Numerics.BitOperations.Log2((uint)size));
        ushort rsi = e.GetGpr(CpuState.RSI), rdi = e.GetGpr(CpuState.RDI);
        ushort src = seg switch
        {
            SegFs => b.Add(rsi, b.LoadState(CpuState.OffFsBase, 8)),
            SegGs => b.Add(rsi, b.LoadState(CpuState.OffGsBase, 8)),
            _ => rsi,
        };
        ushort x, y;
        switch (op)
        {
            case Op.Movs:
                b.Store(rdi, b.Load(src, size), size);
                e.SetGpr(CpuState.RSI, 8, b.Add(rsi, step));
                e.SetGpr(CpuState.RDI, 8, b.Add(rdi, step));
                return;
            case Op.Stos:
                b.Store(rdi, e.GetGpr(CpuState.RAX, size), size);
                e.SetGpr(CpuState.RDI, 8, b.Add(rdi, step));
                return;
            case Op.Lods:
                x = b.Load(src, size);
                e.SetGpr(CpuState.RAX, size, x);
                e.SetGpr(CpuState.RSI, 8, b.Add(rsi, step));
                return;
            case Op.Cmps:
                // [RDI] first: when both operands fault, the host reports RDI's address (Cpu/CmpsOrderTests).
                y = b.Load(rdi, size);
                x = b.Load(src, size);
                e.SetGpr(CpuState.RSI, 8, b.Add(rsi, step));
                break;
            default:
                x = e.GetGpr(CpuState.RAX, size);
                y = b.Load(rdi, size);
                break;
        }
        e.SetGpr(CpuState.RDI, 8, b.Add(rdi, step));
        e.SetFlags(CcKind.Sub, size, e.Trunc(b.Sub(x, y), size), y, 0, x, hasA: true);
    }
}
