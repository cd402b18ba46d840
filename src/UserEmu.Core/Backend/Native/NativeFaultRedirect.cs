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
/// Each unchecked access is preceded by an 8-byte NOP, <c>nop dword [rax+rax*1+disp32]</c> (0F 1F 84 00 disp32), whose
/// displacement is the distance from the access to its stub. The handler, installed in front of the .NET runtime's,
/// takes a fault whose RIP lies in the native code region (<see cref="NativeCodeRegion"/>) and follows such a marker;
/// any other fault goes on to the runtime's handler unchanged (same arguments, same stack). The runtime's handler
/// would treat a fault in code it does not know as a crash of the process.
/// </remarks>
static unsafe class NativeFaultRedirect
{
    const int SIGSEGV = 11, SIGBUS = 7, SA_SIGINFO = 4, SA_ONSTACK = 0x08000000, SigactionSize = 152, FlagsOffset = 136;
    /// <summary>offsetof(ucontext_t, uc_mcontext.gregs[REG_RIP]) on x86-64 Linux.</summary>
    const int UcontextRip = 40 + 16 * 8;
    /// <summary>offsetof(siginfo_t, si_code).</summary>
    const int SiginfoCode = 8;
    /// <summary>The marker's first four bytes, little-endian: 0F 1F 84 00.</summary>
    public const uint Marker = 0x00841F0F;
    public const int MarkerLength = 8;

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

    /// <summary>handler(sig, info, ucontext): redirect a marked access's fault in the native code region, else tail-call <paramref name="next"/>.</summary>
    static nint Handler(nint next)
    {
        var a = new Assembler(64);
        var chain = a.CreateLabel();
        // Only a fault the CPU raised (si_code > 0): a SIGSEGV sent with kill or tgkill is not an access's.
        a.cmp(__dword_ptr[rsi + SiginfoCode], 0);
        a.jle(chain);
        a.mov(rax, __qword_ptr[rdx + UcontextRip]);
        // The marker is read at rip - 8, so the region check keeps that inside the region.
        a.mov(rcx, (ulong)(NativeCodeRegion.Start + MarkerLength));
        a.cmp(rax, rcx);
        a.jb(chain);
        a.mov(rcx, (ulong)NativeCodeRegion.End);
        a.cmp(rax, rcx);
        a.jae(chain);
        a.cmp(__dword_ptr[rax - MarkerLength], unchecked((int)Marker));
        a.jne(chain);
        a.movsxd(rcx, __dword_ptr[rax - 4]);
        a.add(rax, rcx);
        a.mov(__qword_ptr[rdx + UcontextRip], rax);
        a.ret();
        a.Label(ref chain);
        a.mov(rax, (ulong)next);
        a.jmp(rax);
        return NativeSignalHandler.Place(a);
    }
}
