using Iced.Intel;
using UserEmu.Cpu.X86;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Frontend.X86;

/// <summary>SSE4.2 string compares pcmpestri/pcmpestrm/pcmpistri/pcmpistrm (see <see cref="SseStringCompare"/>).</summary>
static class InstEmitSseString
{
    public static void Install(X86EmitterTable t)
    {
        t.Add(e => Emit(e, explicitLengths: true, mask: false), Pcmpestri, Pcmpestri64);
        t.Add(e => Emit(e, explicitLengths: true, mask: true), Pcmpestrm, Pcmpestrm64);
        t[Pcmpistri] = e => Emit(e, explicitLengths: false, mask: false);
        t[Pcmpistrm] = e => Emit(e, explicitLengths: false, mask: true);
    }

    /// <summary>The m128 operand has no alignment rule; results go to ECX (zero-extended) or XMM0, and to the flags.</summary>
    static void Emit(X86Emitter e, bool explicitLengths, bool mask)
    {
        var b = e.B;
        int dst = e.VecReg(0);
        int src = e.VecSource(1, 16);
        ushort la = 0, lb = 0;
        if (explicitLengths)
        {
            bool wide = e.Insn.Mnemonic is Pcmpestri64 or Pcmpestrm64;
            la = wide ? e.GetGpr(CpuState.RAX) : b.SExt(e.GetGpr(CpuState.RAX, 4), 4);
            lb = wide ? e.GetGpr(CpuState.RDX) : b.SExt(e.GetGpr(CpuState.RDX, 4), 4);
        }
        int extra = (explicitLengths ? SseStringCompare.ExplicitLengths : 0) | (mask ? SseStringCompare.WantMask : 0);
        ushort r = e.VecCall(SseStringCompare.Compare, dst, src, (int)e.ImmValue(2), extra, la, lb);
        if (!mask) e.SetGpr(CpuState.RCX, 4, r);
        e.SetEflags(b.ShrImm(r, 32));
    }
}
