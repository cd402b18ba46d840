// maskmovdqu across a page boundary with each page writable or read-only and various masks (one half, the other, none):
// which address faults, if any. The host CPU decides what is right.
#define _GNU_SOURCE
#include <emmintrin.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>

static sigjmp_buf jb;
static void *fault_addr;
static int fault_code;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    fault_addr = si->si_addr;
    fault_code = si->si_code;
    siglongjmp(jb, 1);
}

#define NONE 0x7fffffffL

/* Where an 8-byte write at boundary + at faults (its first byte on a read-only page), relative to the boundary; NONE if it does not. */
static long first_unwritable(long at, int ro)
{
    for (long a = at; a < at + 8; a++)
        if (ro & (a < 0 ? 1 : 2)) return a;
    return NONE;
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    char *p = mmap(0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *boundary = p + 4096;
    for (int ro = 0; ro < 4; ro++) { // bit 0: first page read-only, bit 1: second page read-only
        mprotect(p, 4096, ro & 1 ? PROT_READ : PROT_READ | PROT_WRITE);
        mprotect(boundary, 4096, ro & 2 ? PROT_READ : PROT_READ | PROT_WRITE);
        for (int pick = 0; pick < 4; pick++) {
            unsigned char m[16] = {0};
            if (pick == 0) m[10] = m[12] = m[15] = 0x80; // high half only, all past the boundary
            if (pick == 1) m[0] = 0x80;                  // low half, before the boundary
            if (pick == 2) m[6] = 0x80;                  // low half, past the boundary
            for (int start = 3; start <= 13; start += 5) {
                char *at = boundary - start;
                fault_addr = 0;
                fault_code = 0;
                if (!sigsetjmp(jb, 1))
                    _mm_maskmoveu_si128(_mm_set1_epi8(0x11), _mm_loadu_si128((void *)m), at);
                long addr = fault_addr ? (long)((char *)fault_addr - boundary) : 0L;
                // When both 8-byte halves would fault, CPUs differ in the one they report (UserEmu and earlier hosts: high; AMD Zen 5: low).
                long low = first_unwritable(-start, ro), high = first_unwritable(8 - start, ro);
                if (low != NONE && high != NONE && (addr == low || addr == high))
                    printf("ro=%d pick=%d start=-%d: code=%d addr=either half\n", ro, pick, start, fault_code);
                else
                    printf("ro=%d pick=%d start=-%d: code=%d addr=%+ld\n", ro, pick, start, fault_code, addr);
            }
        }
    }
    return 0;
}
