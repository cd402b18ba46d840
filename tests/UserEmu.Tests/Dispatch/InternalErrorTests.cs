using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.Frontend.X86;
using UserEmu.Host;
using UserEmu.IR;
using UserEmu.Memory;
using Xunit;

namespace UserEmu.Tests.Dispatch;

/// <summary>Tests that replace the process-wide stderr, so they must not run beside others that print there.</summary>
[CollectionDefinition(nameof(StderrCapture), DisableParallelization = true)]
public sealed class StderrCapture;

/// <summary>
/// An emulator bug (a host exception inside the dispatch loop) becomes one stderr line with the guest PC, the
/// instruction bytes there and the -d hint, then the guest dies of SIGILL at that PC: no hang, no .NET stack trace.
/// </summary>
[Collection(nameof(StderrCapture))]
public sealed unsafe class InternalErrorTests
{
    const ulong Code = 0x10000, Broken = 0x10010;

    /// <summary>The real x86 frontend, except that one PC makes it fail the way a translator bug would.</summary>
    sealed class FailingFrontend(Exception failure) : IGuestFrontend
    {
        readonly X86Translator _x86 = new();

        public IrBlock Translate(Vcpu cpu, ulong pc, bool transient = false, ulong knownEnd = 0, bool alone = false) => pc == Broken ? throw failure : _x86.Translate(cpu, pc, transient, knownEnd, alone);

        public string Disassemble(Vcpu cpu, ulong pc, ulong end) => _x86.Disassemble(cpu, pc, end);
    }

    sealed class NoSyscalls : ISyscallBridge
    {
        public void Dispatch(Vcpu cpu) => throw new InvalidOperationException("no syscalls here");
    }

    /// <summary>Runs code that sets RAX to 1 and jumps to <see cref="Broken"/>, where the frontend throws <paramref name="failure"/>.</summary>
    static (string Stderr, GuestSignalInfo? Signal, int Died, ulong Rax) RunUntilFailure(Exception failure)
    {
        using var mem = new GuestAddressSpace(40);
        var proc = new GuestProcess { Memory = mem, Options = new EmulatorOptions(), Frontend = new FailingFrontend(failure), Syscalls = new NoSyscalls() };
        mem.CodePageWritten = proc.Code.InvalidatePage;
        Assert.True(mem.Map(new MapRequest(Code, 0x1000, PageFlags.Read | PageFlags.Write | PageFlags.Exec, false, true, false)) >= 0);
        byte[] code = new byte[0x20];
        Array.Fill(code, (byte)0x90);
        // mov eax, 1; jmp Broken
        new byte[] { 0xb8, 1, 0, 0, 0, 0xe9, (byte)(Broken - (Code + 10)), 0, 0, 0 }.CopyTo(code, 0);
        // At Broken: mov rax, 42 (never run), then nops.
        new byte[] { 0x48, 0xc7, 0xc0, 0x2a, 0, 0, 0 }.CopyTo(code, (int)(Broken - Code));
        code.CopyTo(new Span<byte>(mem.HostBase + Code, code.Length));
        using var cpu = new Vcpu(proc);
        cpu.State->Rip = Code;
        GuestSignalInfo? seen = null;
        proc.Signals.Observer = (_, info) => seen = info;

        var saved = HostStderr.Messages;
        var captured = new StringWriter();
        HostStderr.Messages = captured;
        int died;
        try
        {
            died = Assert.Throws<GuestTerminatedBySignalException>(() => new CpuLoop(cpu).Run()).Signal;
        }
        finally
        {
            HostStderr.Messages = saved;
        }
        return (captured.ToString(), seen, died, cpu.State->Gpr[CpuState.RAX]);
    }

    [Theory]
    [InlineData(typeof(InvalidOperationException))]
    [InlineData(typeof(DivideByZeroException))]
    [InlineData(typeof(IOException))]
    public void HostExceptionBecomesOneLineThenSigill(Type kind)
    {
        var failure = (Exception)Activator.CreateInstance(kind, "translator bug under test")!;
        var (stderr, signal, died, rax) = RunUntilFailure(failure);

        Assert.Equal($"useremu: internal error at guest pc 0x{Broken:x} (48 c7 c0 2a 00 00 00 90 90 90 90 90 90 90 90): " +
            $"{kind.Name}: translator bug under test (-d in_asm,op,exec -D file shows the blocks)\n", stderr);
        Assert.Equal(Signals.SIGILL, died);
        Assert.Equal(new GuestSignalInfo(Signals.SIGILL, Signals.ILL_ILLOPN, Broken), signal);
        // The block before the failure ran; the failing one did not.
        Assert.Equal(1UL, rax);
    }

    [Fact]
    public void UnmappedPcReportsUnreadableBytes()
    {
        using var mem = new GuestAddressSpace(40);
        var proc = new GuestProcess { Memory = mem, Options = new EmulatorOptions(), Frontend = new FailingFrontend(new InvalidOperationException("x")), Syscalls = new NoSyscalls() };
        using var cpu = new Vcpu(proc);
        cpu.State->Rip = Broken;
        var saved = HostStderr.Messages;
        var captured = new StringWriter();
        HostStderr.Messages = captured;
        try
        {
            Assert.Equal(Signals.SIGILL, Assert.Throws<GuestTerminatedBySignalException>(() => new CpuLoop(cpu).Run()).Signal);
        }
        finally
        {
            HostStderr.Messages = saved;
        }
        Assert.Equal($"useremu: internal error at guest pc 0x{Broken:x} (unreadable): InvalidOperationException: x (-d in_asm,op,exec -D file shows the blocks)\n", captured.ToString());
    }
}
