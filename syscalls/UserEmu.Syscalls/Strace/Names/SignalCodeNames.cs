namespace UserEmu.Syscalls.Strace.Names;

/// <summary>strace's names for signal-related values: sigprocmask how, sa_flags, si_code per signal, sigaltstack flags.</summary>
public static class SignalCodeNames
{
    public static readonly EnumNames SigprocmaskHow = new([(0, "SIG_BLOCK"), (1, "SIG_UNBLOCK"), (2, "SIG_SETMASK")], "SIG_???");

    public const ulong SA_RESTORER = 0x04000000;

    public static readonly FlagNames SaFlags = new([
        (0x04000000, "SA_RESTORER"), (0x08000000, "SA_ONSTACK"), (0x10000000, "SA_RESTART"), (0x20000000, "SA_INTERRUPT"),
        (0x40000000, "SA_NODEFER"), (0x80000000, "SA_RESETHAND"), (4, "SA_SIGINFO"), (1, "SA_NOCLDSTOP"), (2, "SA_NOCLDWAIT"),
    ]);

    public static readonly FlagNames AltStackFlags = new([(1, "SS_ONSTACK"), (2, "SS_DISABLE"), (1UL << 31, "SS_AUTODISARM")]);

    /// <summary>si_code values shared by all signals (sent by a user or the kernel itself).</summary>
    public static readonly EnumNames GenericCodes = new([
        (0, "SI_USER"), (0x80, "SI_KERNEL"), (-1, "SI_QUEUE"), (-2, "SI_TIMER"), (-3, "SI_MESGQ"), (-4, "SI_ASYNCIO"),
        (-5, "SI_SIGIO"), (-6, "SI_TKILL"), (-7, "SI_DETHREAD"), (-60, "SI_ASYNCNL"),
    ]);

    static readonly Dictionary<int, string[]> PerSignal = new()
    {
        [4] = ["", "ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP", "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK", "ILL_BADIADDR"],
        [8] = ["", "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF", "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB", "", "", "", "", "", "FPE_FLTUNK", "FPE_CONDTRAP"],
        [11] = ["", "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR", "SEGV_ACCADI", "SEGV_ADIDERR", "SEGV_ADIPERR", "SEGV_MTEAERR", "SEGV_MTESERR", "SEGV_CPERR"],
        [7] = ["", "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR", "BUS_MCEERR_AR", "BUS_MCEERR_AO"],
        [5] = ["", "TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH", "TRAP_HWBKPT", "TRAP_UNK", "TRAP_PERF"],
        [17] = ["", "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED"],
        [29] = ["", "POLL_IN", "POLL_OUT", "POLL_MSG", "POLL_ERR", "POLL_PRI", "POLL_HUP"],
        [31] = ["", "SYS_SECCOMP", "SYS_USER_DISPATCH"],
    };

    /// <summary>The si_code as strace prints it: a generic SI_* name first, then the signal's own codes, else the number.</summary>
    public static void AppendCode(System.Text.StringBuilder sb, int signal, int code)
    {
        if (GenericCodes.TryGet(code, out var name)) sb.Append(name);
        else if (PerSignal.TryGetValue(signal, out var names) && code > 0 && code < names.Length && names[code] != "") sb.Append(names[code]);
        else sb.Append(code);
    }
}
