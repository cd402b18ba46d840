using UserEmu.Backend.IL;
using UserEmu.Backend.Interpreter;
using UserEmu.Backend.Native;
using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.Frontend.X86;
using UserEmu.IR;
using UserEmu.Memory;
using UserEmu.Tests.TestSupport;
using static UserEmu.Tests.Cpu.CpuTestLayout;

namespace UserEmu.Tests.Cpu;

/// <summary>Runs a <see cref="CpuTestCase"/> under UserEmu with the same memory layout as the native harness.</summary>
public sealed unsafe class EmulatorRunner : IDisposable
{
    /// <summary>How the translated block is executed.</summary>
    public enum Backend
    {
        /// <summary>The IR interpreter on the block as translated.</summary>
        Interpreter,
        /// <summary>The IR interpreter on the optimised block.</summary>
        InterpreterOptimized,
        /// <summary>The IL compiler on the optimised block (what hot code runs).</summary>
        Il,
        /// <summary>The native tier on the optimised block (what warm code runs).</summary>
        Native,
    }

    public static readonly Backend[] AllBackends = [Backend.Interpreter, Backend.InterpreterOptimized, Backend.Native, Backend.Il];

    /// <summary>Where the trailer jumps: anything that is not CodeBase + length.</summary>
    const ulong ExitSentinel = 0x7fff_0000;

    readonly FakeGuest _g = new();
    // Freed after every native run: long differential runs compile millions of blocks.
    readonly NativeCodeArena _arena = new();
    readonly X86Translator _translator = new();

    public EmulatorRunner()
    {
        _g.Map(CodeBase, (ulong)PageSize, PageFlags.Read | PageFlags.Write | PageFlags.Exec);
        _g.Map(DataBase, DataSize, PageFlags.Read | PageFlags.Write);
        // Mapped without access, like the native guard page, so faults there are SEGV_ACCERR on both sides.
        _g.Map(GuardPage, (ulong)PageSize, PageFlags.None);
    }

    public FakeGuest Guest => _g;

    /// <summary>Translates the case's code (first instruction at CodeBase) to one IR block.</summary>
    public IrBlock Translate(CpuTestCase c)
    {
        WriteCode(c);
        return _translator.Translate(_g.Cpu, CodeBase);
    }

    /// <summary>Places the case's bytes and the exit trailer in the code page (again before each run: a case may write to it).</summary>
    void WriteCode(CpuTestCase c)
    {
        var code = new Span<byte>(_g.Memory.HostBase + CodeBase, PageSize);
        code.Clear();
        c.Code.CopyTo(code);
        int len = c.Code.Length;
        code[len] = 0xff;
        code[len + 1] = 0x25;
        BitConverter.TryWriteBytes(code[(len + 6)..], ExitSentinel);
    }

    /// <summary>Whether <paramref name="block"/> has a direct exit to its own start: compiled code runs it until the guest leaves the loop, the interpreter once per run.</summary>
    public static bool LoopsOnItself(IrBlock block) => block.Code.Any(i =>
        i.Op is IrOp.Jump or IrOp.Branch or IrOp.SideExit && ((ulong)i.Imm == block.GuestPc || (i.Op == IrOp.Branch && (ulong)i.Imm2 == block.GuestPc)));

    static IrBlock Copy(IrBlock b) => new()
    {
        GuestPc = b.GuestPc, GuestEnd = b.GuestEnd, Code = (IrInstr[])b.Code.Clone(), TempCount = b.TempCount,
        GuestInstructionCount = b.GuestInstructionCount,
    };

    /// <summary>Runs an already translated block of <paramref name="c"/> with one backend.</summary>
    public CpuResult Run(CpuTestCase c, IrBlock block, Backend backend)
    {
        Load(c);
        var cpu = _g.Cpu;
        int signal = 0, code = 0;
        ulong addr = 0;
        try
        {
            RunBlock(block, backend);
            // A case with a branch inside it (loop, jecxz) ends its first block within the code: go on as the
            // dispatch loop would, block after block, until the trailer is reached.
            // One that branches to itself stops there, as it would loop for ever inside compiled code.
            for (int steps = 0; steps < 64 && cpu.State->Rip >= CodeBase && cpu.State->Rip < CodeBase + (ulong)c.Code.Length; steps++)
            {
                var next = _translator.Translate(cpu, cpu.State->Rip);
                if (LoopsOnItself(next)) break;
                RunBlock(next, backend);
            }
        }
        catch (GuestFaultException f)
        {
            signal = Signals.SIGSEGV;
            code = f.Kind switch { FaultKind.Unmapped => Signals.SEGV_MAPERR, FaultKind.Protection => Signals.SEGV_ACCERR, _ => Signals.SI_KERNEL };
            addr = f.Kind == FaultKind.GeneralProtection ? 0 : f.Address;
        }
        catch (GuestSignalException s)
        {
            signal = s.Signal;
            code = s.Code;
            addr = s.Address;
        }
        return Snapshot(c, signal, code, addr);
    }

    void RunBlock(IrBlock block, Backend backend)
    {
        var cpu = _g.Cpu;
        switch (backend)
        {
            case Backend.Interpreter:
                IrInterpreter.Run(Copy(block), cpu);
                break;
            case Backend.InterpreterOptimized:
                IrInterpreter.Run(Optimizer.IrOptimizer.Run(Copy(block)), cpu);
                break;
            case Backend.Native:
                var code = NativeBlockCompiler.Compile(PreparedBlock.Prepare(Optimizer.IrOptimizer.Run(Copy(block))), _arena)
                    ?? throw new InvalidOperationException("the native tier refused the block");
                try
                {
                    NativeBlockRunner.Run(code.Body, cpu, _arena, out _);
                }
                finally
                {
                    _arena.Reset();
                }
                break;
            default:
                IlBlockCompiler.Compile(Optimizer.IrOptimizer.Run(Copy(block)), _g.Memory)(cpu, cpu.State);
                break;
        }
    }

    void Load(CpuTestCase c)
    {
        WriteCode(c);
        var st = _g.Cpu.State;
        st->Reset();
        var init = c.Initial;
        X87Snapshot.Load(st, &init);
        for (int i = 0; i < 16; i++) st->Gpr[i] = init.Gpr[i];
        LazyFlags.SetRflags(st, init.Rflags, ulong.MaxValue);
        st->GsBase = init.GsBase;
        st->Mxcsr = init.Mxcsr;
        for (int r = 0; r < 16; r++)
            new ReadOnlySpan<byte>(init.Xmm + r * 16, 16).CopyTo(new Span<byte>(st->Xmm(r), 16));
        var mem = _g.Memory;
        mem.Protect(DataBase, DataSize, PageFlags.Read | PageFlags.Write);
        var window = mem.WriteSpan(DataBase, DataSize);
        window.Clear();
        c.Data.CopyTo(window);
        for (int p = 0; p < DataPages; p++)
        {
            var prot = ((c.PageProt[p] & 1) != 0 ? PageFlags.Read : 0) | ((c.PageProt[p] & 2) != 0 ? PageFlags.Write : 0);
            mem.Protect(DataBase + (ulong)(p * PageSize), (ulong)PageSize, prot);
        }
    }

    CpuResult Snapshot(CpuTestCase c, int signal, int code, ulong addr)
    {
        var st = _g.Cpu.State;
        var s = new CpuSnapshot();
        for (int i = 0; i < 16; i++) s.Gpr[i] = st->Gpr[i];
        s.Rflags = LazyFlags.Rflags(st);
        s.Rip = signal == 0 && st->Rip == ExitSentinel ? CodeBase + (ulong)c.Code.Length : st->Rip;
        for (int r = 0; r < 16; r++)
            new ReadOnlySpan<byte>(st->Xmm(r), 16).CopyTo(new Span<byte>(s.Xmm + r * 16, 16));
        s.Mxcsr = st->Mxcsr;
        s.Signal = signal;
        s.SiCode = code;
        s.SiAddr = addr;
        s.GsBase = st->GsBase;
        X87Snapshot.Save(st, &s);
        _g.Memory.Protect(DataBase, DataSize, PageFlags.Read | PageFlags.Write);
        return new CpuResult { State = s, Data = _g.Memory.ReadSpan(DataBase, c.Data.Length).ToArray() };
    }

    public void Dispose()
    {
        _arena.Reset();
        _g.Dispose();
    }
}
