using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.Cpu.X86.X87;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: the x87 wait for a pending exception (fwait, fnop, fldcw's first step).
public sealed unsafe partial class NativeBlockCompiler
{
    static readonly ushort s_x87Stack = HelperTable.Id(X87Helpers.Stack);

    /// <summary>An x87 wait that native code performs itself (<see cref="X87Wait"/>).</summary>
    static bool InlineX87Wait(in IrInstr i) => i.Op == IrOp.Call && i.Helper == s_x87Stack && X87Imm.OpOf(i.Imm) == X87Op.Wait;

    // Nothing to do unless FSW.ES says an exception is pending: then the helper decides whether it is delivered.
    void X87Wait(in IrInstr i, int k)
    {
        int stub = NewStub(k);
        E(Instruction.Create(Code.Test_rm8_imm8, StateOperand(CpuState.OffFsw), X87Status.ES));
        JumpTo(Code.Jne_rel32_64, stub);
        HelperReturnedZero(i.Dst);
        ResumeHere(k);
    }
}
