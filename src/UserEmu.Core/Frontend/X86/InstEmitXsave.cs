using Iced.Intel;
using UserEmu.Cpu.X86;

namespace UserEmu.Frontend.X86;

/// <summary>XSAVE feature instructions: xgetbv and the xsave/xrstor family (all through <see cref="XsaveHelpers"/>).</summary>
static class InstEmitXsave
{
    public static void Install(X86EmitterTable t)
    {
        t[Mnemonic.Xgetbv] = e => IfXsave(e, () => e.HelperImm(XsaveHelpers.Xgetbv, 0));
        t.Add(e => IfXsave(e, () => e.HelperImm(XsaveHelpers.Save, XsaveHelpers.FormXsave, e.Ea())),
            Mnemonic.Xsave, Mnemonic.Xsave64, Mnemonic.Xsaveopt, Mnemonic.Xsaveopt64);
        t.Add(e => IfXsave(e, () => e.HelperImm(XsaveHelpers.Save, XsaveHelpers.FormXsavec, e.Ea())),
            Mnemonic.Xsavec, Mnemonic.Xsavec64);
        t.Add(e => IfXsave(e, () => e.HelperImm(XsaveHelpers.Restore, 0, e.Ea())), Mnemonic.Xrstor, Mnemonic.Xrstor64);
    }

    /// <summary>The instructions raise #UD (SIGILL) unless the CPU model enables XSAVE (CR4.OSXSAVE).</summary>
    static void IfXsave(X86Emitter e, Action emit)
    {
        if (e.Cpu.Process.CpuModel.HasXsave) emit();
        else e.Unsupported();
    }
}
