using Iced.Intel;
using UserEmu.Host;
using static Iced.Intel.AssemblerRegisters;

namespace UserEmu.Backend.Native;

/// <summary>
/// Lets native guest loads and stores skip the page-table's permission check: an access that faults on the host (the
/// guest page is unmapped, unreadable or read-only, and the host mapping mirrors that, or it lies past a mapped
/// file's end) is redirected by a SIGSEGV (SIGBUS) handler to the access's out-of-line stub, whose managed side
/// performs it with the full check and raises the guest's fault with precise state.
/// </summary>
/// <remarks>
/// Each unchecked access is recorded in its code chunk's fault-site table (<see cref="NativeCodeRegion.AddFaultSite"/>)
/// with the distance to its stub. The handler, installed in front of the .NET runtime's, takes a fault whose RIP lies
/// in the native code region (<see cref="NativeCodeRegion"/>) and is one of those sites (searched by halves); any other
/// fault goes on to the runtime's handler unchanged (same arguments, same stack). The runtime's handler would treat a
/// fault in code it does not know as a crash of the process. Until 2026-12-03 each access was preceded by an 8-byte
/// NOP that held the distance: the NOPs cost python3 json_sha ~8% and cc1 ~10% (medians of interleaved runs).
/// </remarks>
static unsafe class NativeFaultRedirect
{
    const int SIGSEGV = 11, SIGBUS = 7, SA_SIGINFO = 4, SA_ONSTACK = 0x08000000, SigactionSize = 152, FlagsOffset = 136;
    /// <summary>offsetof(ucontext_t, uc_mcontext.gregs[REG_RIP]) on x86-64 Linux.</summary>
    const int UcontextRip = 40 + 16 * 8;
    /// <summary>offsetof(siginfo_t, si_code).</summary>
    const int SiginfoCode = 8;

    static readonly Lock s_lock = new();
    static int s_state; // 0 = not tried, 1 = installed, -1 = unavailable

    /// <summary>Whether native loads and stores may skip their permission check (installs the handler on first use).</summary>
    public static bool Enabled
    {
        get
        {
            if (s_state == 0) Install();
            return s_state > 0;
        }
    }

    static void Install()
    {
        lock (s_lock)
        {
            if (s_state != 0) return;
            if (Environment.GetEnvironmentVariable("USEREMU_CHECKED_LOADS") == "1" || NativeCodeRegion.Start == 0)
            {
                s_state = -1;
                return;
            }
            s_state = InstallFor(SIGSEGV) ? 1 : -1;
            // A file mapping's page past the file's end faults with SIGBUS (the managed side raises the guest's).
            if (s_state > 0) InstallFor(SIGBUS);
        }
    }

    static bool InstallFor(int signal)
    {
        byte* old = stackalloc byte[SigactionSize];
        if (LibC.sigaction(signal, null, old) != 0) return false;
        byte* act = stackalloc byte[SigactionSize];
        new Span<byte>(old, SigactionSize).CopyTo(new Span<byte>(act, SigactionSize));
        nint next = *(nint*)old;
        if (next == 0 && signal == SIGBUS)
        {
            // NativeAOT's runtime leaves SIGBUS at its default: other faults get it back, and die of it when they rerun.
            next = RestoreDefault();
            *(int*)(act + FlagsOffset) = SA_SIGINFO | SA_ONSTACK;
        }
        // The runtime's handler takes siginfo; without one to hand other faults to, stay with checked accesses.
        else if (next is 0 or 1 || (*(int*)(old + FlagsOffset) & SA_SIGINFO) == 0)
            return false;
        *(nint*)act = Handler(next);
        // Same mask and flags as the runtime's (SA_ONSTACK, SA_SIGINFO...); glibc adds its restorer.
        return LibC.sigaction(signal, act, null) == 0;
    }

    /// <summary>handler(sig, info, ucontext) that sets <c>sig</c>'s disposition back to the default (rt_sigaction) and returns.</summary>
    static nint RestoreDefault()
    {
        var a = new Assembler(64);
        // struct kernel_sigaction { handler = SIG_DFL, flags, restorer, mask } on the stack, all zero.
        a.sub(rsp, 40);
        a.xor(eax, eax);
        for (int at = 0; at < 32; at += 8) a.mov(__qword_ptr[rsp + at], rax);
        a.mov(rsi, rsp);
        a.xor(edx, edx);
        a.mov(r10d, 8);
        a.mov(eax, 13); // rt_sigaction; edi is still the signal
        a.syscall();
        a.add(rsp, 40);
        a.ret();
        return NativeSignalHandler.Place(a);
    }

    /// <summary>handler(sig, info, ucontext): redirect a recorded access's fault in the native code region, else tail-call <paramref name="next"/>.</summary>
    static nint Handler(nint next)
    {
        // rdi, rsi and rdx stay as they came for the next handler; rax, rcx and r8-r11 are the caller's to lose.
        var a = new Assembler(64);
        Label chain = a.CreateLabel(), search = a.CreateLabel(), below = a.CreateLabel(), found = a.CreateLabel();
        // Only a fault the CPU raised (si_code > 0): a SIGSEGV sent with kill or tgkill is not an access's.
        a.cmp(__dword_ptr[rsi + SiginfoCode], 0);
        a.jle(chain);
        a.mov(rax, __qword_ptr[rdx + UcontextRip]);
        a.mov(r8, rax);
        a.mov(rcx, (ulong)NativeCodeRegion.Start);
        a.sub(r8, rcx);
        a.mov(rcx, (ulong)(NativeCodeRegion.End - NativeCodeRegion.Start));
        a.cmp(r8, rcx);
        a.jae(chain);
        // r9 = the chunk's site table, r8d = RIP's offset in the chunk; entries [r10, r11) are left to search.
        a.mov(r9, r8);
        a.shr(r9, NativeCodeRegion.ChunkShift);
        a.shl(r9, NativeCodeRegion.SiteTableShift);
        a.mov(rcx, (ulong)NativeCodeRegion.SiteTables);
        a.add(r9, rcx);
        a.and(r8d, NativeCodeRegion.ChunkSize - 1);
        a.xor(r10d, r10d);
        a.mov(r11, __qword_ptr[r9]);
        a.Label(ref search);
        a.cmp(r10, r11);
        a.jae(chain);
        a.lea(rcx, __qword_ptr[r10 + r11]);
        a.shr(rcx, 1);
        a.cmp(r8d, __dword_ptr[r9 + rcx * 8 + 8]);
        a.je(found);
        a.jb(below);
        a.lea(r10, __qword_ptr[rcx + 1]);
        a.jmp(search);
        a.Label(ref below);
        a.mov(r11, rcx);
        a.jmp(search);
        a.Label(ref found);
        a.movsxd(rcx, __dword_ptr[r9 + rcx * 8 + 12]);
        a.add(rax, rcx);
        a.mov(__qword_ptr[rdx + UcontextRip], rax);
        a.ret();
        a.Label(ref chain);
        a.mov(rax, (ulong)next);
        a.jmp(rax);
        return NativeSignalHandler.Place(a);
    }
}
