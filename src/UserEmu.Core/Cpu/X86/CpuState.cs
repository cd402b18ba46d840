using System.Runtime.InteropServices;

namespace UserEmu.Cpu.X86;

/// <summary>Architectural state of one x86-64 vCPU, in unmanaged memory so translated code addresses it by fixed offsets.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct CpuState
{
    /// <summary>RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8..R15 in encoding order.</summary>
    public fixed ulong Gpr[16];
    public ulong Rip;

    // Lazily evaluated arithmetic flags (see LazyFlags): the last flag-setting operation and its operands.
    public ulong CcDst;
    public ulong CcSrc;
    public ulong CcSrc2;
    public uint CcOp;
    /// <summary>Direction flag as +1 or -1 (the increment of string instructions).</summary>
    public int DfStep;

    public uint Mxcsr;
    /// <summary>
    /// Nonzero while another thread wants this vCPU back in the dispatcher (a signal it can take, another thread's fork
    /// or flush): native code tests it at every jump back and indirect jump, IL regions at their back edges and chained
    /// exits (<see cref="Engine.GuestSignals.Interrupt"/>).
    /// </summary>
    public uint Interrupt;

    public ulong FsBase;
    public ulong GsBase;

    /// <summary>YMM0..YMM15, 32 bytes each; the low 16 bytes are XMMn. At offset 192, so that no register straddles a
    /// cache line (the state is 64-byte aligned): at 200, every other one had, and a loop storing its vector registers
    /// each pass (glibc's strlen-avx2) ran up to 3.4x slower, as much as the guest's data happened to alias them.</summary>
    public fixed byte Ymm[16 * 32];
    /// <summary>
    /// Scratch vector slots right after YMM15 (indices 16.. in <see cref="XmmOffset"/>): memory operands of vector ops
    /// are staged in 16 and 17; VEX lowering stages its lane copies in the others.
    /// </summary>
    public fixed byte VecScratch[VecScratchCount * 32];

    // x87: registers stored by physical index, 80-bit values in 16-byte slots (low 10 bytes used).
    public fixed byte St[8 * 16];
    public ushort Fcw;
    /// <summary>Status word without TOP (TOP lives in <see cref="FpTop"/>).</summary>
    public ushort Fsw;
    /// <summary>Tag word in the abridged fxsave form: bit i set = physical register i is valid.</summary>
    public ushort FtwAbridged;
    public ushort Fop;
    public int FpTop;
    public uint Pad1;
    public ulong FpIp;
    public ulong FpDp;

    /// <summary>RFLAGS bits that are not arithmetic flags or DF (ID, AC, TF...), as stored by popf.</summary>
    public ulong RflagsOther;

    /// <summary>The value a locked read-modify-write loaded, which its store-conditional expects to find still there (<see cref="LockedAccessHelpers"/>).</summary>
    public ulong LinkedValue;

    /// <summary>Vector register index of the first scratch slot (see <see cref="VecScratch"/>).</summary>
    public const int VecScratch0 = 16;
    /// <summary>Number of scratch slots.</summary>
    public const int VecScratchCount = 6;

    public const int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;

    public static readonly int OffGpr, OffRip, OffCcDst, OffCcSrc, OffCcSrc2, OffCcOp, OffDfStep, OffFsBase, OffGsBase, OffYmm, OffMxcsr, OffInterrupt,
        OffSt, OffFpTop, OffFtwAbridged, OffLinkedValue, OffFcw, OffFsw;

    // Field offsets by address arithmetic on a local: Marshal.OffsetOf<CpuState> looked the fields up by name through
    // reflection (and its generic instantiation was JIT-compiled) at every start.
    static CpuState()
    {
        CpuState s = default;
        byte* b = (byte*)&s;
        OffGpr = (int)((byte*)s.Gpr - b);
        OffRip = (int)((byte*)&s.Rip - b);
        OffCcDst = (int)((byte*)&s.CcDst - b);
        OffCcSrc = (int)((byte*)&s.CcSrc - b);
        OffCcSrc2 = (int)((byte*)&s.CcSrc2 - b);
        OffCcOp = (int)((byte*)&s.CcOp - b);
        OffFcw = (int)((byte*)&s.Fcw - b);
        OffFsw = (int)((byte*)&s.Fsw - b);
        OffDfStep = (int)((byte*)&s.DfStep - b);
        OffFsBase = (int)((byte*)&s.FsBase - b);
        OffGsBase = (int)((byte*)&s.GsBase - b);
        OffYmm = (int)(s.Ymm - b);
        OffMxcsr = (int)((byte*)&s.Mxcsr - b);
        OffInterrupt = (int)((byte*)&s.Interrupt - b);
        OffSt = (int)(s.St - b);
        OffFpTop = (int)((byte*)&s.FpTop - b);
        OffFtwAbridged = (int)((byte*)&s.FtwAbridged - b);
        OffLinkedValue = (int)((byte*)&s.LinkedValue - b);
    }

    /// <summary>State offset of general register <paramref name="reg"/> (0..15).</summary>
    public static int GprOffset(int reg) => OffGpr + reg * 8;
    /// <summary>State offset of the low byte of XMM/YMM register <paramref name="reg"/>.</summary>
    public static int XmmOffset(int reg) => OffYmm + reg * 32;

    /// <summary>Pointer to XMM register <paramref name="reg"/> (16 bytes).</summary>
    public byte* Xmm(int reg)
    {
        fixed (byte* p = Ymm) return p + reg * 32;
    }

    public void Reset()
    {
        this = default;
        Mxcsr = 0x1F80;
        Fcw = 0x037F;
        DfStep = 1;
        RflagsOther = 0x202; // reserved bit 1 and IF, as a user process sees them
        CcOp = (uint)X86.CcOp.Eflags;
    }
}
