// The legacy vsyscall page: gettimeofday, time and getcpu called at their fixed addresses, as old static binaries do.
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

#define VSYSCALL 0xffffffffff600000UL

int main(void)
{
    struct timeval tv;
    long r = ((long (*)(struct timeval *, void *))(VSYSCALL + 0x000))(&tv, NULL);
    long now = time(NULL);
    printf("gettimeofday: %ld, close to time(): %d\n", r, tv.tv_sec >= now - 1 && tv.tv_sec <= now + 1);
    long t = ((long (*)(long *))(VSYSCALL + 0x400))(NULL);
    printf("time: close to time(): %d\n", t >= now - 1 && t <= now + 1);
    unsigned cpu = 999, node = 999;
    r = ((long (*)(unsigned *, unsigned *, void *))(VSYSCALL + 0x800))(&cpu, &node, NULL);
    printf("getcpu: %ld, cpu found: %d, node %u\n", r, cpu < 999, node);
    // The kernel's emulation is not a syscall instruction: RCX and R11 survive the call.
    unsigned long rcx, r11;
    asm volatile("mov $0x1234, %%rcx\n\tmov $0x5678, %%r11\n\txor %%edi, %%edi\n\tcall *%2\n\tmov %%rcx, %0\n\tmov %%r11, %1"
                 : "=r"(rcx), "=r"(r11) : "r"(VSYSCALL + 0x400) : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
    printf("rcx=%lx r11=%lx\n", rcx, r11);
    return 0;
}
