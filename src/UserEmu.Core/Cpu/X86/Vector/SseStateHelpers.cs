using UserEmu.Engine;
using Sig = UserEmu.Engine.Signals;

namespace UserEmu.Cpu.X86;

/// <summary>IR helpers for MXCSR loads and the fxsave/fxrstor image.</summary>
public static unsafe class SseStateHelpers
{
    static GuestSignalException GeneralProtection() => new(Sig.SIGSEGV, Sig.SI_KERNEL, 0);

    /// <summary>ldmxcsr: #GP (SIGSEGV) when a reserved bit is set.</summary>
    public static ulong LoadMxcsr(Vcpu cpu, ulong value, ulong b, long imm)
    {
        if ((value & ~(ulong)Mxcsr.Writable) != 0) throw GeneralProtection();
        cpu.State->Mxcsr = (uint)value;
        return 0;
    }

    /// <summary>Bytes of the image fxsave writes: the legacy and XMM areas; 416..511 are left to software.</summary>
    const int WrittenBytes = 416;

    /// <summary>fxsave/fxsave64 to the 16-byte aligned guest address <paramref name="ea"/>.</summary>
    public static ulong Save(Vcpu cpu, ulong ea, ulong b, long imm)
    {
        if ((ea & 15) != 0) throw GeneralProtection();
        cpu.Memory.Check(ea, FxsaveArea.Size, write: true);
        byte* image = stackalloc byte[FxsaveArea.Size];
        FxsaveArea.Save(cpu.State, image);
        new ReadOnlySpan<byte>(image, WrittenBytes).CopyTo(new Span<byte>(cpu.Memory.Host(ea), WrittenBytes));
        return 0;
    }

    /// <summary>fxrstor/fxrstor64 from the 16-byte aligned guest address <paramref name="ea"/>; #GP on reserved MXCSR bits.</summary>
    public static ulong Restore(Vcpu cpu, ulong ea, ulong b, long imm)
    {
        if ((ea & 15) != 0) throw GeneralProtection();
        cpu.Memory.Check(ea, FxsaveArea.Size, write: false);
        if (!FxsaveArea.Restore(cpu.State, cpu.Memory.Host(ea))) throw GeneralProtection();
        return 0;
    }
}
