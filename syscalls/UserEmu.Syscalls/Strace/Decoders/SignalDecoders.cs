using System.Text;
using UserEmu.Engine;
using UserEmu.Syscalls.Strace.Names;
using UserEmu.Syscalls.Table;
using static UserEmu.Syscalls.Strace.StraceFormat;

namespace UserEmu.Syscalls.Strace.Decoders;

/// <summary>Decoders of signal numbers, sigsets, struct sigaction, siginfo_t and stack_t.</summary>
public static class SignalDecoders
{
    public static void Append(StringBuilder sb, TraceCall call, int i)
    {
        ulong v = call.Arg(i);
        var mem = call.Mem;
        switch (call.Kind(i))
        {
            case ArgKind.Signal: sb.Append(SignalNames.Name((int)v)); break;
            case ArgKind.SigSetIn or ArgKind.SigSetOut: SigSet(sb, mem, v); break;
            case ArgKind.SigprocmaskHow: SignalCodeNames.SigprocmaskHow.Append(sb, (int)v); break;
            case ArgKind.SigActionIn or ArgKind.SigActionOut: SigAction(sb, mem, v); break;
            case ArgKind.SigInfoIn or ArgKind.SigInfoOut: SigInfo(sb, mem, v); break;
            case ArgKind.StackIn or ArgKind.StackOut: Stack(sb, mem, v); break;
        }
    }

    /// <summary>sigset_t: [INT TERM], ~[KILL STOP] when most are set, [] when empty.</summary>
    public static void SigSet(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (a == 0) sb.Append("NULL");
        else if (mem.TryRead(a, out ulong set)) sb.Append(SignalNames.Set(set));
        else Pointer(sb, a);
    }

    /// <summary>struct kernel_sigaction: {sa_handler=SIG_DFL, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x...}.</summary>
    public static void SigAction(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (a == 0)
        {
            sb.Append("NULL");
            return;
        }
        if (!mem.TryRead(a, out GuestSigAction act))
        {
            Pointer(sb, a);
            return;
        }
        sb.Append("{sa_handler=");
        if (act.Handler == GuestSigAction.SIG_DFL) sb.Append("SIG_DFL");
        else if (act.Handler == GuestSigAction.SIG_IGN) sb.Append("SIG_IGN");
        else Hex(sb, act.Handler);
        sb.Append(", sa_mask=").Append(SignalNames.Set(act.Mask)).Append(", sa_flags=");
        SignalCodeNames.SaFlags.Append(sb, act.Flags);
        if ((act.Flags & SignalCodeNames.SA_RESTORER) != 0)
        {
            sb.Append(", sa_restorer=");
            Pointer(sb, act.Restorer);
        }
        sb.Append('}');
    }

    /// <summary>A siginfo_t in guest memory.</summary>
    static void SigInfo(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (a == 0)
        {
            sb.Append("NULL");
            return;
        }
        if (!mem.CanRead(a, 128))
        {
            Pointer(sb, a);
            return;
        }
        mem.TryRead(a, out int signo);
        mem.TryRead(a + 8, out int code);
        mem.TryRead(a + 16, out ulong addr);
        mem.TryRead(a + 16, out int pid);
        mem.TryRead(a + 20, out int uid);
        mem.TryRead(a + 24, out int status);
        SigInfo(sb, new GuestSignalInfo(signo, code, addr, pid, uid), status);
    }

    /// <summary>{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x1234}: the fields strace shows for the signal and code.</summary>
    public static void SigInfo(StringBuilder sb, GuestSignalInfo info, int childStatus = 0)
    {
        sb.Append("{si_signo=").Append(SignalNames.Name(info.Signal)).Append(", si_code=");
        SignalCodeNames.AppendCode(sb, info.Signal, info.Code);
        if (info.Code <= 0)
        {
            // Sent by a process (kill, tkill, sigqueue): the sender.
            sb.Append(", si_pid=").Append(info.SenderPid).Append(", si_uid=").Append(info.SenderUid);
        }
        else
        {
            switch (info.Signal)
            {
                case Signals.SIGCHLD:
                    sb.Append(", si_pid=").Append(info.SenderPid).Append(", si_uid=").Append(info.SenderUid).Append(", si_status=");
                    if (info.Code == 1) sb.Append(childStatus);
                    else sb.Append(SignalNames.Name(childStatus));
                    sb.Append(", si_utime=0, si_stime=0");
                    break;
                case Signals.SIGILL or Signals.SIGFPE or Signals.SIGBUS or Signals.SIGSEGV or Signals.SIGTRAP:
                    sb.Append(", si_addr=");
                    Pointer(sb, info.Address);
                    break;
            }
        }
        sb.Append('}');
    }

    /// <summary>stack_t: {ss_sp=0x..., ss_flags=0, ss_size=8192}.</summary>
    static void Stack(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (a == 0)
        {
            sb.Append("NULL");
            return;
        }
        if (!mem.TryRead(a, out ulong sp) || !mem.TryRead(a + 8, out int flags) || !mem.TryRead(a + 16, out ulong size))
        {
            Pointer(sb, a);
            return;
        }
        sb.Append("{ss_sp=");
        Pointer(sb, sp);
        sb.Append(", ss_flags=");
        SignalCodeNames.AltStackFlags.Append(sb, (uint)flags);
        sb.Append(", ss_size=").Append(size).Append('}');
    }
}
