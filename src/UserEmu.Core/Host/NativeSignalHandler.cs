using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace UserEmu.Host;

/// <summary>A host signal handler in machine code that writes the signal number, as one byte, into a pipe.</summary>
/// <remarks>
/// Managed code cannot run inside a signal handler, and the runtime's own forwarding (PosixSignalRegistration) hands
/// each signal to a thread-pool thread, whose work (starting threads, JIT-compiling) can hold a runtime lock at the
/// instant of a guest fork and hang the child. This handler only makes one write(2) system call, which is
/// async-signal-safe and leaves errno alone; a thread of the emulator's own reads the pipe.
/// </remarks>
static unsafe class NativeSignalHandler
{
    const int SYS_read = 0, SYS_write = 1, SYS_futex = 202, FUTEX_WAIT = 0, EINTR = 4;

    /// <summary>States of the reader word shared by <see cref="CreateReaderWait"/> and the forking thread.</summary>
    public const int ReaderInNative = 0, ReaderInManaged = 1, Forking = 2;

    /// <summary>Assembles the handler for pipe write end <paramref name="writeFd"/> into an executable page and returns its address.</summary>
    public static nint Create(int writeFd)
    {
        var a = new Assembler(64);
        a.sub(rsp, 8);
        a.mov(__byte_ptr[rsp], dil); // the signal number, first argument
        a.mov(eax, SYS_write);
        a.mov(edi, writeFd);
        a.mov(rsi, rsp);
        a.mov(edx, 1);
        a.syscall();
        a.add(rsp, 8);
        a.ret();
        return Place(a);
    }

    /// <summary>
    /// Assembles <c>long ReaderWait(int* state, int fd, byte* buf)</c>: marks the reader as in native code, reads up to
    /// 64 bytes from <c>fd</c> (again on EINTR), then returns to managed code only by moving the state from
    /// <see cref="ReaderInNative"/> to <see cref="ReaderInManaged"/>, waiting on the word while it is
    /// <see cref="Forking"/>. A forking thread that moved the state from ReaderInNative to Forking therefore knows the
    /// reader is in native code (preemptive mode, holding no runtime lock) for the whole fork; a thread the runtime
    /// believed to be running managed code at the fork would block every garbage collection in the child.
    /// </summary>
    public static nint CreateReaderWait()
    {
        var a = new Assembler(64);
        var readAgain = a.CreateLabel();
        var enter = a.CreateLabel();
        var done = a.CreateLabel();
        a.push(rbx);
        a.push(r12);
        a.push(r13);
        a.mov(rbx, rdi);
        a.mov(r12d, esi);
        a.mov(r13, rdx);
        a.mov(eax, ReaderInNative);
        a.xchg(__dword_ptr[rbx], eax);
        a.Label(ref readAgain);
        a.mov(eax, SYS_read);
        a.mov(edi, r12d);
        a.mov(rsi, r13);
        a.mov(edx, 64);
        a.syscall();
        a.cmp(rax, -EINTR);
        a.je(readAgain);
        a.mov(r12, rax);
        a.Label(ref enter);
        a.mov(eax, ReaderInNative);
        a.mov(ecx, ReaderInManaged);
        a.@lock.cmpxchg(__dword_ptr[rbx], ecx);
        a.je(done);
        a.mov(rdi, rbx);
        a.mov(esi, FUTEX_WAIT);
        a.mov(edx, Forking);
        a.xor(r10d, r10d);
        a.mov(eax, SYS_futex);
        a.syscall();
        a.jmp(enter);
        a.Label(ref done);
        a.mov(rax, r12);
        a.pop(r13);
        a.pop(r12);
        a.pop(rbx);
        a.ret();
        return Place(a);
    }

    static nint Place(Assembler a)
    {
        var code = new MemoryStream();
        a.Assemble(new StreamCodeWriter(code), 0);
        const nuint PageSize = 4096;
        nint page = LibC.mmap(0, PageSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        if (page == LibC.MAP_FAILED) throw new InvalidOperationException($"mmap for the signal handler failed (errno {LibC.Errno})");
        code.ToArray().CopyTo(new Span<byte>((void*)page, (int)code.Length));
        LibC.mprotect(page, PageSize, LibC.PROT_READ | LibC.PROT_EXEC);
        return page;
    }
}
