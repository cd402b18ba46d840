using Iced.Intel;
using UserEmu.Engine;

namespace UserEmu.Frontend.X86;

/// <summary>Helpers that raise synchronous guest signals from translated code.</summary>
public static unsafe class SignalHelpers
{
    /// <summary>imm = insn index | signal &lt;&lt; 40 | si_code &lt;&lt; 48.</summary>
    public static ulong Raise(Vcpu cpu, ulong a, ulong b, long imm)
    {
        int signal = (int)((imm >> 40) & 0xff);
        int code = (int)(imm >> 48);
        ref readonly var insn = ref InsnTable.Get(imm & 0xff_ffff_ffff);
        ulong addr = signal is Signals.SIGSEGV or Signals.SIGBUS ? 0 : insn.IP;
        throw new GuestSignalException(signal, code, addr);
    }

    /// <summary>a = the address that could not be fetched, imm = si_code (SEGV_MAPERR or SEGV_ACCERR).</summary>
    public static ulong FetchFault(Vcpu cpu, ulong a, ulong b, long imm) => throw new GuestSignalException(Signals.SIGSEGV, (int)imm, a);

    public static ulong Unsupported(Vcpu cpu, ulong a, ulong b, long imm)
    {
        ref readonly var insn = ref InsnTable.Get(imm);
        throw new GuestSignalException(Signals.SIGILL, Signals.ILL_ILLOPN, insn.IP, $"unsupported instruction {Describe(cpu, insn)}");
    }

    /// <summary>"0f 0b (ud2)" style description with the raw bytes, for error messages.</summary>
    public static string Describe(Vcpu cpu, in Instruction insn)
    {
        var bytes = new List<string>();
        for (ulong p = insn.IP; p < insn.IP + (ulong)Math.Max(insn.Length, 1) && bytes.Count < 15; p++)
            bytes.Add(cpu.Memory.IsAccessible(p, 1, Memory.PageFlags.Read) ? cpu.Memory.HostBase[p].ToString("x2") : "??");
        return $"at 0x{insn.IP:x}: {string.Join(' ', bytes)} ({insn})";
    }
}
