using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace UserEmu.Host;

/// <summary>Machine code for what managed code cannot do: a host signal handler that writes the signal number into a pipe, and the gated system call of <see cref="ForkGate"/>.</summary>
/// <remarks>
/// Managed code cannot run inside a signal handler, and the runtime's own forwarding (PosixSignalRegistration) hands
/// each signal to a thread-pool thread, whose work (starting threads, JIT-compiling) can hold a runtime lock at the
/// instant of a guest fork and hang the child. The handler only makes one write(2) system call, which is
/// async-signal-safe and leaves errno alone; a thread of the emulator's own reads the pipe.
/// </remarks>
static unsafe class NativeSignalHandler
{
    const int SYS_write = 1, SYS_futex = 202, FUTEX_WAIT = 0;

    /// <summary>Assembles the handler, which writes into the descriptor held at <paramref name="writeFd"/> (so the pipe can move), into an executable page and returns its address.</summary>
    public static nint Create(int* writeFd)
    {
        var a = new Assembler(64);
        a.sub(rsp, 8);
        a.mov(__byte_ptr[rsp], dil); // the signal number, first argument
        a.mov(rax, (ulong)writeFd);
        a.mov(edi, __dword_ptr[rax]);
        a.mov(eax, SYS_write);
        a.mov(rsi, rsp);
        a.mov(edx, 1);
        a.syscall();
        a.add(rsp, 8);
        a.ret();
        return Place(a);
    }

    /// <summary>
    /// Assembles <c>long GatedSyscall(int* gate, long nr, long a0, long a1, long a2, long a3)</c> for
    /// <see cref="ForkGate"/>: stores <paramref name="inNative"/> in the gate, makes the system call, then returns to
    /// managed code only by moving the gate from <paramref name="inNative"/> to <paramref name="inManaged"/>, futex-waiting
    /// while it holds <paramref name="forking"/>. Returns the raw result (-errno on failure).
    /// </summary>
    public static nint CreateGatedSyscall(int inNative, int inManaged, int forking)
    {
        var a = new Assembler(64);
        var enter = a.CreateLabel();
        var done = a.CreateLabel();
        a.push(rbx);
        a.push(r12);
        a.mov(rbx, rdi);
        a.mov(eax, inNative);
        a.xchg(__dword_ptr[rbx], eax);
        a.mov(rax, rsi);
        a.mov(rdi, rdx);
        a.mov(rsi, rcx);
        a.mov(rdx, r8);
        a.mov(r10, r9);
        a.syscall();
        a.mov(r12, rax);
        a.Label(ref enter);
        a.mov(eax, inNative);
        a.mov(ecx, inManaged);
        a.@lock.cmpxchg(__dword_ptr[rbx], ecx);
        a.je(done);
        a.mov(rdi, rbx);
        a.mov(esi, FUTEX_WAIT);
        a.mov(edx, forking);
        a.xor(r10d, r10d);
        a.mov(eax, SYS_futex);
        a.syscall();
        a.jmp(enter);
        a.Label(ref done);
        a.mov(rax, r12);
        a.pop(r12);
        a.pop(rbx);
        a.ret();
        return Place(a);
    }

    internal static nint Place(Assembler a)
    {
        var code = new MemoryStream();
        a.Assemble(new StreamCodeWriter(code), 0);
        return Place(code.ToArray());
    }

    /// <summary>Copies <paramref name="code"/> (at most a page) into a new executable page and returns its address.</summary>
    public static nint Place(ReadOnlySpan<byte> code)
    {
        const nuint PageSize = 4096;
        nint page = LibC.mmap(0, PageSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        if (page == LibC.MAP_FAILED) throw new InvalidOperationException($"mmap for emulator machine code failed (errno {LibC.Errno})");
        code.CopyTo(new Span<byte>((void*)page, (int)PageSize));
        LibC.mprotect(page, PageSize, LibC.PROT_READ | LibC.PROT_EXEC);
        return page;
    }
}
