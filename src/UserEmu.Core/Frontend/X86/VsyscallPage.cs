using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.IR;
using Decoder = Iced.Intel.Decoder;

namespace UserEmu.Frontend.X86;

/// <summary>
/// The legacy vsyscall page at 0xffffffffff600000, which Linux still emulates (vsyscall=xonly): a call to its
/// gettimeofday (+0x000), time (+0x400) or getcpu (+0x800) entry is that syscall followed by a return.
/// </summary>
/// <remarks>
/// Like the kernel's emulation, the syscall leaves RCX and R11 alone. Each entry is lowered as the syscall, resuming at
/// entry+1, where a ret pops the caller's return address; any other address in the page is a fetch fault.
/// </remarks>
static class VsyscallPage
{
    public const ulong Base = 0xffff_ffff_ff60_0000;

    public static bool Contains(ulong pc) => pc - Base < 0x1000;

    static int SyscallAt(ulong offset) => offset switch { 0x000 => 96, 0x400 => 201, 0x800 => 309, _ => -1 };

    public static IrBlock Translate(X86Emitter e, X86EmitterTable table, Vcpu cpu, ulong pc)
    {
        ulong offset = pc - Base;
        var decoder = Decoder.Create(64, new ByteArrayCodeReader([0xc3]), pc);
        decoder.Decode(out var ret);
        e.Begin(cpu, ret);
        if (SyscallAt(offset) is int nr and >= 0)
        {
            e.SetGpr(CpuState.RAX, 8, e.B.Const(nr));
            e.B.Syscall(pc + 1);
        }
        else if (SyscallAt(offset - 1) >= 0)
            table[Mnemonic.Ret]!(e);
        else
            e.RaiseFetchFault(pc, Signals.SEGV_MAPERR);
        return e.B.Finish(pc, pc + 1);
    }
}
