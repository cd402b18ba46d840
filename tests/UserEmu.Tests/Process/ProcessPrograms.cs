namespace UserEmu.Tests.ProcessModel;

/// <summary>C sources of the process-model test programs (each prefixed with <see cref="MiniRuntime"/>).</summary>
public static class ProcessPrograms
{
    /// <summary>Prints its arguments; "fdcheck" mode reports which of fds 10 and 11 survived the exec.</summary>
    public const string EchoArgs = """
        int main(int argc, char **argv, char **envp) {
            if (argc > 1 && seq(argv[1], "fdcheck")) {
                sayn("fd 10 (O_CLOEXEC) F_GETFD = ", sc(SYS_fcntl, 10, 1, 0));
                sayn("fd 11 F_GETFD = ", sc(SYS_fcntl, 11, 1, 0));
                return 0;
            }
            if (argc > 1 && seq(argv[1], "sigcheck")) {
                sayn("SIGTERM handler after exec (1 = ignored) ", sighandler(15));
                sayn("SIGUSR1 handler after exec (0 = default) ", sighandler(10));
                sayn("blocked mask after exec ", sigblocked());
                return 0;
            }
            say("echoargs:");
            for (int i = 0; i < argc; i++) { say(" ["); say(argv[i]); say("]"); }
            say("\n");
            return argc;
        }
        """;

    public const string ForkWait = """
        int main(int argc, char **argv, char **envp) {
            long parent = sc(SYS_getpid, 0, 0, 0);
            for (int k = 0; k < 3; k++) {
                long pid = sc(SYS_fork, 0, 0, 0);
                if (pid == 0) {
                    sayn("child ", k);
                    sayn("child's parent is the forker: ", sc(SYS_getppid, 0, 0, 0) == parent);
                    quit(10 + k);
                }
                int st = 0;
                sayn("reaped the right pid: ", waitpid_(pid, &st) == pid);
                sayn("wait status ", st);
            }
            int p[2];
            sc(SYS_pipe2, p, 0, 0);
            long pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) { long me = sc(SYS_getpid, 0, 0, 0); sc(SYS_write, p[1], &me, 8); quit(0); }
            long seen = 0;
            sc(SYS_read, p[0], &seen, 8);
            sayn("child's getpid is fork's result: ", seen == pid);
            int st = 0;
            waitpid_(pid, &st);
            int shared = 1;
            pid = sc(SYS_vfork, 0, 0, 0);
            if (pid == 0) { say("vfork child runs first\n"); quit(3); }
            say("vfork parent resumes after the child\n");
            waitpid_(pid, &st);
            sayn("vfork child status ", (st >> 8) & 0xff);
            sayn("no more children: ", waitpid_(-1, &st));
            return 4;
        }
        """;

    /// <summary>argv[1]: echoargs; argv[2]: a non-ELF executable; argv[3]: a #! script; argv[4]: a script run by a script.</summary>
    public const string ExecPaths = """
        static int run(const char *what, const char *path, char **av, char **ev) {
            long pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) { long r = sc(SYS_execve, path, av, ev); sayn("execve failed ", r); quit(99); }
            int st = 0;
            waitpid_(pid, &st);
            say(what); sayn(": status ", (st >> 8) & 0xff);
            return st;
        }
        int main(int argc, char **argv, char **envp) {
            if (argc > 1 && seq(argv[1], "child")) {
                say("child:");
                for (int i = 0; i < argc; i++) { say(" ["); say(argv[i]); say("]"); }
                say("\n");
                for (char **e = envp; *e; e++) { say("env "); say(*e); say("\n"); }
                return 5;
            }
            char *cargv[] = { "renamed0", "child", "x y", 0 };
            char *cenv[] = { "ZZ1=one", "ZZ2=two", 0 };
            run("exec of itself with a new argv0 and environment", argv[0], cargv, cenv);
            run("exec of /proc/self/exe", "/proc/self/exe", cargv, cenv);
            char *eargv[] = { "echo-zero", "a", "", "b c", 0 };
            run("exec of another program", argv[1], eargv, cenv);
            run("#! script", argv[3], eargv, cenv);
            run("#! script whose interpreter is a script", argv[4], eargv, cenv);
            char *none[] = { 0 };
            run("empty argv", argv[1], none, none);
            long pid = sc(SYS_vfork, 0, 0, 0);
            if (pid == 0) { sc(SYS_execve, argv[1], eargv, cenv); quit(98); }
            int st = 0;
            waitpid_(pid, &st);
            sayn("vfork+exec status ", (st >> 8) & 0xff);
            pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) {
                long fd = sc(SYS_open, argv[1], 0x80000, 0);
                sc6(322, fd, (long)"", (long)eargv, (long)cenv, 0x1000, 0);
                quit(97);
            }
            waitpid_(pid, &st);
            sayn("fexecve (execveat AT_EMPTY_PATH) status ", (st >> 8) & 0xff);
            sayn("ENOENT ", sc(SYS_execve, "/nonexistent/prog", cargv, cenv));
            sayn("ENOENT empty path ", sc(SYS_execve, "", cargv, cenv));
            sayn("EACCES not executable ", sc(SYS_execve, "/etc/passwd", cargv, cenv));
            sayn("EACCES directory ", sc(SYS_execve, "/tmp", cargv, cenv));
            sayn("EFAULT ", sc(SYS_execve, 16, cargv, cenv));
            sayn("ENOEXEC ", sc(SYS_execve, argv[2], cargv, cenv));
            return 0;
        }
        """;

    /// <summary>argv[1]: echoargs. A pipe from an exec'd child to the parent, and O_CLOEXEC honoured by exec.</summary>
    public const string Pipes = """
        int main(int argc, char **argv, char **envp) {
            int p[2];
            sayn("pipe2 ", sc(SYS_pipe2, p, 0x80000, 0));
            long pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) {
                sc(SYS_dup2, p[1], 1, 0);
                char *av[] = { "echoargs", "through", "the pipe", 0 };
                sc(SYS_execve, argv[1], av, envp);
                quit(99);
            }
            sc(SYS_close, p[1], 0, 0);
            char buf[256];
            long n, total = 0;
            while ((n = sc(SYS_read, p[0], buf + total, sizeof buf - 1 - total)) > 0) total += n;
            buf[total] = 0;
            say("parent read: "); say(buf);
            int st = 0;
            waitpid_(pid, &st);
            sayn("writer status ", (st >> 8) & 0xff);
            sayn("read after EOF ", sc(SYS_read, p[0], buf, 1));
            sayn("dup3 O_CLOEXEC ", sc(SYS_dup3, 0, 10, 0x80000));
            sayn("dup2 ", sc(SYS_dup2, 0, 11, 0));
            sayn("fd 10 F_GETFD before exec ", sc(SYS_fcntl, 10, 1, 0));
            pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) {
                char *av[] = { "echoargs", "fdcheck", 0 };
                sc(SYS_execve, argv[1], av, envp);
                quit(99);
            }
            waitpid_(pid, &st);
            sayn("dup3 EINVAL for same fds ", sc(SYS_dup3, 11, 11, 0));
            int q[2];
            sigdisp(13, 1);
            sc(SYS_pipe, q, 0, 0);
            sc(SYS_close, q[0], 0, 0);
            long r = sc(SYS_write, q[1], "x", 1);
            sayn("write to a pipe without readers ", r);
            return 0;
        }
        """;

    public const string SignalDeaths = """
        struct siginfo { int signo, err, code, pad; int pid, uid, status; char rest[100]; };
        static void reap(const char *what, long pid) {
            int st = 0;
            waitpid_(pid, &st);
            int sig = st & 0x7f;
            say(what);
            if (sig == 0) sayn(": exited ", (st >> 8) & 0xff);
            else sayn(": killed by signal ", sig);
        }
        int main(int argc, char **argv, char **envp) {
            sigdisp(13, 0); /* SIGPIPE at its default action, whatever the test runner left */
            long pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) { sc(SYS_kill, sc(SYS_getpid, 0, 0, 0), 15, 0); quit(1); }
            reap("kill(self, SIGTERM)", pid);
            pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) { *(volatile int *)8 = 1; quit(1); }
            reap("store to address 8", pid);
            pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) { int q[2]; sc(SYS_pipe, q, 0, 0); sc(SYS_close, q[0], 0, 0); sc(SYS_write, q[1], "x", 1); quit(1); }
            reap("write to a pipe without readers", pid);
            int p[2];
            sc(SYS_pipe, p, 0, 0);
            pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) { char c; sc(SYS_read, p[0], &c, 1); quit(1); }
            sayn("kill(child, SIGKILL) ", sc(SYS_kill, pid, 9, 0));
            reap("killed by its parent", pid);
            struct siginfo si;
            pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) quit(42);
            memset(&si, 0, sizeof si);
            sayn("waitid ", sc6(SYS_waitid, 1 /* P_PID */, pid, (long)&si, 4 /* WEXITED */, 0, 0));
            sayn("  si_signo ", si.signo); sayn("  si_code ", si.code); sayn("  si_status ", si.status);
            sayn("  si_pid matches ", si.pid == pid);
            pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) { sc(SYS_kill, sc(SYS_getpid, 0, 0, 0), 9, 0); quit(1); }
            memset(&si, 0, sizeof si);
            sayn("waitid ", sc6(SYS_waitid, 0 /* P_ALL */, 0, (long)&si, 4, 0, 0));
            sayn("  si_code ", si.code); sayn("  si_status ", si.status);
            sayn("kill of a reaped pid ", sc(SYS_kill, pid, 0, 0));
            if (argc > 1) {
                sigdisp(15, 1);
                sigdisp(10, (unsigned long)&main);
                sigblock(1UL << 11);
                pid = sc(SYS_fork, 0, 0, 0);
                if (pid == 0) { char *av[] = { "echoargs", "sigcheck", 0 }; sc(SYS_execve, argv[1], av, envp); quit(99); }
                reap("exec'd sigcheck", pid);
            }
            return 0;
        }
        """;

    public const string Groups = """
        int main(int argc, char **argv, char **envp) {
            long me = sc(SYS_getpid, 0, 0, 0);
            sayn("getpgid(0) == getpgrp() ", sc(SYS_getpgid, 0, 0, 0) == sc(SYS_getpgrp, 0, 0, 0));
            long pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) {
                sayn("setpgid(0, 0) ", sc(SYS_setpgid, 0, 0, 0));
                sayn("own group: ", sc(SYS_getpgid, 0, 0, 0) == sc(SYS_getpid, 0, 0, 0));
                quit(0);
            }
            int st = 0;
            waitpid_(pid, &st);
            pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) {
                sayn("setsid returns the pid: ", sc(SYS_setsid, 0, 0, 0) == sc(SYS_getpid, 0, 0, 0));
                sayn("getsid(0) is the pid: ", sc(SYS_getsid, 0, 0, 0) == sc(SYS_getpid, 0, 0, 0));
                sayn("setsid again ", sc(SYS_setsid, 0, 0, 0));
                sayn("getsid(parent) differs: ", sc(SYS_getsid, sc(SYS_getppid, 0, 0, 0), 0, 0) != sc(SYS_getsid, 0, 0, 0));
                quit(0);
            }
            waitpid_(pid, &st);
            int p[2];
            sc(SYS_pipe, p, 0, 0);
            pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) { char c; sc(SYS_close, p[1], 0, 0); sc(SYS_read, p[0], &c, 1); quit(0); }
            sayn("setpgid(child, child) ", sc(SYS_setpgid, pid, pid, 0));
            sayn("getpgid(child) is the child: ", sc(SYS_getpgid, pid, 0, 0) == pid);
            sayn("kill(-group, SIGTERM) ", sc(SYS_kill, -pid, 15, 0));
            waitpid_(pid, &st);
            sayn("group member died by ", st & 0x7f);
            sayn("getpgid(no such pid) ", sc(SYS_getpgid, 0x3fffffff, 0, 0));
            char name[16];
            sayn("PR_SET_NAME ", sc(SYS_prctl, 15, "a-rather-long-thread-name", 0));
            memset(name, 'x', sizeof name);
            sayn("PR_GET_NAME ", sc(SYS_prctl, 16, name, 0));
            say("name: "); say(name); say("\n");
            sayn("PR_SET_PDEATHSIG ", sc(SYS_prctl, 1, 9, 0));
            int sig = 0;
            sayn("PR_GET_PDEATHSIG ", sc(SYS_prctl, 2, &sig, 0));
            sayn("death signal ", sig);
            pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) { int s2 = -1; sc(SYS_prctl, 2, &s2, 0); sayn("child's death signal (not inherited) ", s2); quit(0); }
            waitpid_(pid, &st);
            return 0;
        }
        """;

    /// <summary>Descriptor numbers are the native ones, in the first program and in an exec'd one: the emulator's own stay out of the way.</summary>
    public const string DescriptorNumbers = """
        int main(int argc, char **argv, char **envp) {
            long fd = sc(SYS_open, "/dev/null", 0, 0);
            sayn("first open ", fd);
            sayn("second open ", sc(SYS_open, "/dev/null", 0, 0));
            sc(SYS_close, fd, 0, 0);
            sayn("reuses the lowest ", sc(SYS_open, "/dev/null", 0, 0));
            sayn("close of a never-opened fd ", sc(SYS_close, 40, 0, 0));
            if (argc > 1) {
                sayn("close_range(3, ~0) ", sc(436, 3, ~0u, 0));
                sayn("open after close_range ", sc(SYS_open, "/dev/null", 0, 0));
                sayn("fd 20 inherited: ", sc(SYS_fcntl, 20, 1, 0));
                sayn("fd 21 (O_CLOEXEC) gone: ", sc(SYS_fcntl, 21, 1, 0));
                return 0;
            }
            sayn("dup2 onto 7 ", sc(SYS_dup2, 1, 7, 0));
            sayn("dup2 onto 20 ", sc(SYS_dup2, 1, 20, 0));
            sayn("dup3 onto 21 ", sc(SYS_dup3, 1, 21, 0x80000));
            long pid = sc(SYS_fork, 0, 0, 0);
            if (pid == 0) { char *av[] = { argv[0], "child", 0 }; sc(SYS_execve, argv[0], av, envp); quit(99); }
            int st = 0;
            waitpid_(pid, &st);
            sayn("child status ", st);
            return 0;
        }
        """;

    /// <summary>Many forks while the parent keeps running (and the emulator keeps compiling): no child may hang on a runtime lock.</summary>
    public const string ForkStress = """
        static long work(long n) { long s = 0; for (long i = 0; i < n; i++) s += i * (i ^ 3); return s; }
        int main(int argc, char **argv, char **envp) {
            long total = 0, odd = 0;
            for (int k = 0; k < 150; k++) {
                long pid = sc(SYS_fork, 0, 0, 0);
                if (pid == 0) quit((int)(work(1000 + k) & 1));
                total += work(2000 + k * 10);
                int st = 0;
                waitpid_(pid, &st);
                odd += (st >> 8) & 1;
            }
            sayn("sum ", total & 0xffff);
            sayn("odd children ", odd);
            return 0;
        }
        """;
}
