/* Shared helpers of the System V IPC test programs: errno names and a checked-call printer. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *errname(int e)
{
    switch (e) {
    case EINVAL: return "EINVAL"; case ENOENT: return "ENOENT"; case EACCES: return "EACCES";
    case EEXIST: return "EEXIST"; case EIDRM: return "EIDRM"; case EFAULT: return "EFAULT";
    case ENOMEM: return "ENOMEM"; case EPERM: return "EPERM"; case E2BIG: return "E2BIG";
    case ENOMSG: return "ENOMSG"; case EAGAIN: return "EAGAIN"; case EINTR: return "EINTR";
    case EFBIG: return "EFBIG"; case ERANGE: return "ERANGE";
    default: { static char b[16]; snprintf(b, sizeof b, "errno %d", e); return b; }
    }
}

/* Prints "label: ok" or "label: ERRNO" for a call that returns -1 on error. */
#define CHECK(label, expr) do { errno = 0; long r_ = (long)(expr); \
    printf("%s: %s\n", label, r_ == -1 ? errname(errno) : "ok"); } while (0)

/* How a forked child ended: "exit N" or "signal NAME". */
static void report_child(const char *label, pid_t pid)
{
    int st;
    waitpid(pid, &st, 0);
    if (WIFEXITED(st)) printf("%s: exit %d\n", label, WEXITSTATUS(st));
    else printf("%s: signal %s\n", label, WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "?");
}

/* A key no other run uses (the native and emulated runs have different pids). */
static key_t private_key(int n) { return (key_t)(0x5e000000 | ((getpid() & 0xffff) << 4) | n); }
