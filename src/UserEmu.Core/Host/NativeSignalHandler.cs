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

    /// <summary>Places the handler, which writes into the descriptor held at <paramref name="writeFd"/> (so the pipe can move), into an executable page and returns its address.</summary>
    public static nint Create(int* writeFd)
    {
        Span<byte> code = stackalloc byte[HandlerCode.Length];
        HandlerCode.CopyTo(code);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(code[HandlerFdAt..], (ulong)writeFd);
        return Place(code);
    }

    /// <summary>Places <see cref="ForkGate"/>'s gated system call (<see cref="AssembleGatedSyscall"/> for its gate states) and returns its address.</summary>
    public static nint CreateGatedSyscall() => Place(GatedSyscallCode);

    // The two stubs as machine code, so that the guest's first sigaction does not initialise Iced's encoder tables on
    // the main thread (8% of its samples in busybox true; the compile thread initialises them off the critical path).
    // NativeStubCodeTests checks them against what the Assemble methods below produce.

    /// <summary><see cref="AssembleHandler"/>'s code, with the descriptor's address (an imm64) at <see cref="HandlerFdAt"/>.</summary>
    internal static ReadOnlySpan<byte> HandlerCode => [
        0x48, 0x83, 0xEC, 0x08,                                     // sub rsp, 8
        0x40, 0x88, 0x3C, 0x24,                                     // mov [rsp], dil
        0x48, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0,                         // mov rax, writeFd
        0x8B, 0x38,                                                 // mov edi, [rax]
        0xB8, 0x01, 0x00, 0x00, 0x00,                               // mov eax, SYS_write
        0x48, 0x89, 0xE6,                                           // mov rsi, rsp
        0xBA, 0x01, 0x00, 0x00, 0x00,                               // mov edx, 1
        0x0F, 0x05,                                                 // syscall
        0x48, 0x83, 0xC4, 0x08,                                     // add rsp, 8
        0xC3,                                                       // ret
    ];
    internal const int HandlerFdAt = 10;

    /// <summary><see cref="AssembleGatedSyscall"/>'s code for ForkGate's states.</summary>
    internal static ReadOnlySpan<byte> GatedSyscallCode => [
        0x53,                                                       // push rbx
        0x41, 0x54,                                                 // push r12
        0x48, 0x89, 0xFB,                                           // mov rbx, rdi
        0xB8, 0x00, 0x00, 0x00, 0x00,                               // mov eax, InNative
        0x87, 0x03,                                                 // xchg [rbx], eax
        0x48, 0x89, 0xF0,                                           // mov rax, rsi
        0x48, 0x89, 0xD7,                                           // mov rdi, rdx
        0x48, 0x89, 0xCE,                                           // mov rsi, rcx
        0x4C, 0x89, 0xC2,                                           // mov rdx, r8
        0x4D, 0x89, 0xCA,                                           // mov r10, r9
        0x0F, 0x05,                                                 // syscall
        0x49, 0x89, 0xC4,                                           // mov r12, rax
        0xB8, 0x00, 0x00, 0x00, 0x00,                               // enter: mov eax, InNative
        0xB9, 0x01, 0x00, 0x00, 0x00,                               // mov ecx, InManaged
        0xF0, 0x0F, 0xB1, 0x0B,                                     // lock cmpxchg [rbx], ecx
        0x74, 0x19,                                                 // je done
        0x48, 0x89, 0xDF,                                           // mov rdi, rbx
        0xBE, 0x00, 0x00, 0x00, 0x00,                               // mov esi, FUTEX_WAIT
        0xBA, 0x02, 0x00, 0x00, 0x00,                               // mov edx, Forking
        0x45, 0x31, 0xD2,                                           // xor r10d, r10d
        0xB8, 0xCA, 0x00, 0x00, 0x00,                               // mov eax, SYS_futex
        0x0F, 0x05,                                                 // syscall
        0xEB, 0xD7,                                                 // jmp enter
        0x4C, 0x89, 0xE0,                                           // done: mov rax, r12
        0x41, 0x5C,                                                 // pop r12
        0x5B,                                                       // pop rbx
        0xC3,                                                       // ret
    ];

    /// <summary>The handler: writes the signal number (one byte) into the descriptor held at <paramref name="writeFd"/>.</summary>
    internal static byte[] AssembleHandler(ulong writeFd)
    {
        var a = new Assembler(64);
        a.sub(rsp, 8);
        a.mov(__byte_ptr[rsp], dil); // the signal number, first argument
        a.mov(rax, writeFd);
        a.mov(edi, __dword_ptr[rax]);
        a.mov(eax, SYS_write);
        a.mov(rsi, rsp);
        a.mov(edx, 1);
        a.syscall();
        a.add(rsp, 8);
        a.ret();
        return Assemble(a);
    }

    /// <summary>
    /// <c>long GatedSyscall(int* gate, long nr, long a0, long a1, long a2, long a3)</c> for <see cref="ForkGate"/>:
    /// stores <paramref name="inNative"/> in the gate, makes the system call, then returns to managed code only by
    /// moving the gate from <paramref name="inNative"/> to <paramref name="inManaged"/>, futex-waiting while it holds
    /// <paramref name="forking"/>. Returns the raw result (-errno on failure).
    /// </summary>
    internal static byte[] AssembleGatedSyscall(int inNative, int inManaged, int forking)
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
        return Assemble(a);
    }

    static byte[] Assemble(Assembler a)
    {
        var code = new MemoryStream();
        a.Assemble(new StreamCodeWriter(code), 0);
        return code.ToArray();
    }

    internal static nint Place(Assembler a) => Place(Assemble(a));

    /// <summary>Copies <paramref name="code"/> (position-independent, at most a page) after the stubs placed before it, 16-byte aligned, and returns its address.</summary>
    /// <remarks>
    /// The stubs share readable, writable and executable pages, as the native code arena's chunks are: a page of its
    /// own each, made executable by mprotect, cost ~0.2 ms apiece on the vCPU thread of a busybox true once the compile
    /// thread ran on the other vCPU (the mprotect's TLB shootdown on this PVM host, and a page fault), and the
    /// native runner's two stubs are placed when the guest first enters native code.
    /// </remarks>
    public static nint Place(ReadOnlySpan<byte> code)
    {
        const int PageSize = 4096;
        if (code.Length > PageSize) throw new ArgumentException("emulator machine code longer than a page", nameof(code));
        lock (s_placeLock)
        {
            if (s_page == 0 || s_used + code.Length > PageSize)
            {
                nint page = LibC.mmap(0, PageSize, LibC.PROT_READ | LibC.PROT_WRITE | LibC.PROT_EXEC, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
                if (page == LibC.MAP_FAILED) throw new InvalidOperationException($"mmap for emulator machine code failed (errno {LibC.Errno})");
                (s_page, s_used) = (page, 0);
            }
            nint at = s_page + s_used;
            // New bytes only, never executed before: a thread running an earlier stub of the page is not disturbed.
            code.CopyTo(new Span<byte>((void*)at, code.Length));
            s_used = (s_used + code.Length + 15) & ~15;
            return at;
        }
    }

    static readonly System.Threading.Lock s_placeLock = new();
    static nint s_page;
    static int s_used;
}
