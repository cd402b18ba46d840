using System.Runtime.CompilerServices;
using UserEmu.Engine;
using Sig = UserEmu.Engine.Signals;

namespace UserEmu.Cpu.X86;

/// <summary>IR helpers for xgetbv and the xsave family (xsave, xsaveopt, xsavec, xrstor) on the <see cref="XsaveArea"/> image.</summary>
public static unsafe class XsaveHelpers
{
    /// <summary>Which instruction a helper call is for (the helper's imm).</summary>
    public const long FormXsave = 0, FormXsavec = 1;

    static GuestSignalException GeneralProtection() => new(Sig.SIGSEGV, Sig.SI_KERNEL, 0);

    /// <summary>xgetbv: XCR0 for ECX = 0, XINUSE (reported as XCR0: every enabled component in use) for ECX = 1, else #GP.</summary>
    public static ulong Xgetbv(Vcpu cpu, ulong a, ulong b, long imm)
    {
        var s = cpu.State;
        uint index = (uint)s->Gpr[CpuState.RCX];
        if (index > 1) throw GeneralProtection();
        ulong v = cpu.Process.CpuModel.Xcr0;
        s->Gpr[CpuState.RAX] = (uint)v;
        s->Gpr[CpuState.RDX] = (uint)(v >> 32);
        return 0;
    }

    /// <summary>Requested-feature bitmap: EDX:EAX masked by XCR0.</summary>
    static ulong Rfbm(Vcpu cpu) =>
        ((cpu.State->Gpr[CpuState.RDX] << 32) | (uint)cpu.State->Gpr[CpuState.RAX]) & cpu.Process.CpuModel.Xcr0;

    static int ImageSize(Vcpu cpu) => (cpu.Process.CpuModel.Xcr0 & XsaveArea.Avx) != 0 ? XsaveArea.SizeWithAvx : XsaveArea.SizeLegacy;

    /// <summary>xsave/xsaveopt (standard format) and xsavec (compacted: identical layout for x87/SSE/AVX) to the 64-byte aligned <paramref name="ea"/>.</summary>
    public static ulong Save(Vcpu cpu, ulong ea, ulong b, long imm)
    {
        if ((ea & 63) != 0) throw GeneralProtection();
        int size = ImageSize(cpu);
        cpu.Memory.Check(ea, (ulong)size, write: true);
        byte* image = cpu.Memory.Host(ea);
        ulong rfbm = Rfbm(cpu);
        XsaveArea.SaveComponents(cpu.State, image, rfbm, compacted: imm == FormXsavec);
        ref ulong xstateBv = ref Unsafe.AsRef<ulong>(image + XsaveArea.HeaderOffset);
        if (imm == FormXsavec)
        {
            // The compacted form writes XSTATE_BV and XCOMP_BV; the rest of the header is left as it was (as the host does).
            xstateBv = rfbm;
            Unsafe.AsRef<ulong>(image + XsaveArea.HeaderOffset + 8) = XsaveArea.Compacted | rfbm;
        }
        else
        {
            // Components saved are reported in use; others keep their XSTATE_BV bits.
            xstateBv = (xstateBv & ~rfbm) | rfbm;
        }
        return 0;
    }

    /// <summary>xrstor from the 64-byte aligned <paramref name="ea"/>, standard or compacted image; #GP on a malformed header.</summary>
    public static ulong Restore(Vcpu cpu, ulong ea, ulong b, long imm)
    {
        if ((ea & 63) != 0) throw GeneralProtection();
        ulong xcr0 = cpu.Process.CpuModel.Xcr0;
        cpu.Memory.Check(ea, XsaveArea.SizeLegacy, write: false);
        byte* image = cpu.Memory.Host(ea);
        ulong xstateBv = Unsafe.ReadUnaligned<ulong>(image + XsaveArea.HeaderOffset);
        ulong xcompBv = Unsafe.ReadUnaligned<ulong>(image + XsaveArea.HeaderOffset + 8);
        ulong rfbm = Rfbm(cpu);
        if ((xcompBv & XsaveArea.Compacted) == 0)
        {
            if ((xstateBv & ~xcr0) != 0 || xcompBv != 0 || Unsafe.ReadUnaligned<ulong>(image + XsaveArea.HeaderOffset + 16) != 0)
                throw GeneralProtection();
        }
        else
        {
            // Compacted: XCOMP_BV names the components present; XSTATE_BV must be a subset of it.
            if ((xcompBv & ~XsaveArea.Compacted & ~xcr0) != 0 || (xstateBv & ~xcompBv) != 0) throw GeneralProtection();
            for (int i = 16; i < 64; i++) if (image[XsaveArea.HeaderOffset + i] != 0) throw GeneralProtection();
        }
        if ((rfbm & xstateBv & XsaveArea.Avx) != 0) cpu.Memory.Check(ea, XsaveArea.SizeWithAvx, write: false);
        if (!XsaveArea.RestoreComponents(cpu.State, image, rfbm, xstateBv)) throw GeneralProtection();
        return 0;
    }
}
