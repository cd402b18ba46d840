using Iced.Intel;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// Guest calls and rets as host calls and rets, so that the host's return-stack predictor foresees the guest's returns.
// A ret through the jump table is one indirect jump for every return site of the function, which the host mispredicts
// whenever the caller changes: cc1 spent about a third of its native samples at block entries after one.
// A guest call pushes a return pair on the host stack: its guest return address, and (by a host call) the host address
// of a return site in the calling block that jumps to that guest address. A direct call's host call is its link to the
// callee (patched as a direct exit's jmp is); an indirect call host-calls its jump through the table. A guest ret whose
// target is the newest pair's guest address is a host ret; any other goes through the jump table and leaves the pairs
// where they are (a longjmp, or a return address the guest rewrote), so the host stack only ever holds pairs the
// runner call made. Every way out to the runner resets the host stack (LeaveToRunner), and the runner's entry stub
// puts a bottom pair there whose return site leaves for the dispatcher. Code is freed only at a flush, with no thread
// in native code, so a return site on the stack is always there; an invalidated block's return site jumps on unlinked.
public sealed unsafe partial class NativeBlockCompiler
{
    /// <summary>Return pairs one runner call may have on the host stack (16 bytes each); a deeper guest call is a plain jump.</summary>
    public const int MaxReturnPairs = 1024;

    // Back to the runner, with the host stack as its entry stub left it.
    void LeaveToRunner()
    {
        E(Instruction.Create(Code.Mov_r64_rm64, RSP, HostStack));
        E(Instruction.Create(Code.Retnq));
    }

    // A direct call's exit to `target`, pushing the return pair of `ret` first while there is room.
    void DirectCall(ulong target, ulong ret)
    {
        // The call itself is the link to the callee (its rel32 patched as a jmp's is): one taken branch, where a call to
        // a jmp was two. With no room for a pair, a plain exit.
        int noRoom = JumpIfNoRoomForPair();
        PushGuestReturn(ret);
        DirectExit(target, Code.Call_rel32_64);
        ReturnSite(ret);
        Bind(noRoom);
        DirectExit(target);
    }

    // An indirect call's exit (rax = the target), as DirectCall's.
    void IndirectCall(ulong ret)
    {
        PushReturnPair(ret);
        JumpThroughTable();
    }

    // While there is room: pushes `ret` and host-calls the callee's exit, emitted next; the return site after the call
    // drops `ret` and continues there.
    void PushReturnPair(ulong ret)
    {
        int callee = JumpIfNoRoomForPair();
        PushGuestReturn(ret);
        JumpTo(Code.Call_rel32_64, callee);
        ReturnSite(ret);
        Bind(callee);
    }

    // Jumps to the label returned (bound by the caller) when the host stack has no room for another return pair.
    int JumpIfNoRoomForPair()
    {
        int noRoom = NewLabel();
        E(Instruction.Create(Code.Cmp_r64_rm64, RSP, HostStackLimit));
        JumpTo(Code.Jbe_rel32_64, noRoom);
        return noRoom;
    }

    void PushGuestReturn(ulong ret)
    {
        if (Fits32(ret)) E(Instruction.Create(Code.Pushq_imm32, (int)(long)ret));
        else
        {
            MovImm(RCX, ret);
            E(Instruction.Create(Code.Push_r64, RCX));
        }
    }

    // Where the callee's host ret lands: drops the guest return address and continues there.
    void ReturnSite(ulong ret)
    {
        E(Instruction.Create(Code.Pop_r64, RCX));
        DirectExit(ret);
    }

    // A ret's exit (rax = the target): a host ret when the newest pair is for the target; else falls through.
    void ReturnThroughPair()
    {
        int other = NewLabel();
        E(Instruction.Create(Code.Cmp_r64_rm64, RAX, new MemoryOperand(RSP, 8)));
        JumpTo(Code.Jne_rel32_64, other);
        E(Instruction.Create(Code.Retnq));
        Bind(other);
    }
}
