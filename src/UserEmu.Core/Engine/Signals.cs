namespace UserEmu.Engine;

/// <summary>Linux signal numbers and si_code values used by the core (x86-64 / generic numbering).</summary>
public static class Signals
{
    public const int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8,
        SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15, SIGSTKFLT = 16,
        SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24,
        SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGIO = 29, SIGPWR = 30, SIGSYS = 31;

    public const int SI_KERNEL = 0x80;
    public const int ILL_ILLOPC = 1, ILL_ILLOPN = 2, ILL_PRVOPC = 5;
    public const int FPE_INTDIV = 1, FPE_INTOVF = 2;
    public const int SEGV_MAPERR = 1, SEGV_ACCERR = 2;
    public const int BUS_ADRALN = 1, BUS_ADRERR = 2;
    public const int TRAP_BRKPT = 1;
}
