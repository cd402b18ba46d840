using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using UserEmu.Memory;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

/// <summary>
/// The load-linked and store-conditional of a LOCK-prefixed read-modify-write (<see cref="LockedAccessHelpers"/>) in
/// native code: the load remembers its value in the vCPU state, and the store is a host lock cmpxchg against it.
/// </summary>
/// <remarks>
/// Both check the page table first (readable and writable for the load; writable without translated code for the
/// store; neither crossing a page): anything else, and a cmpxchg that finds the operand changed, takes the helper, which
/// faults, or retries the instruction, as the interpreter does. Without this, pthreads' loop of locked increments left
/// native code twice per increment (10M hand-backs per 1M) where a RyuJIT region had inlined the helpers.
/// </remarks>
public sealed unsafe partial class NativeBlockCompiler
{
    static readonly ushort s_loadLinked = HelperTable.Id(LockedAccessHelpers.LoadLinked);
    static readonly ushort s_storeConditional = HelperTable.Id(LockedAccessHelpers.StoreConditional);

    /// <summary>A load-linked or store-conditional that native code performs itself.</summary>
    static bool InlineLocked(in IrInstr i) =>
        i.Op == IrOp.Call && (i.Helper == s_loadLinked || i.Helper == s_storeConditional) && i.Imm is 1 or 2 or 4 or 8;

    void Locked(in IrInstr i, int k)
    {
        int size = (int)i.Imm, stub = NewStub(k);
        bool store = i.Helper == s_storeConditional;
        LoadTemp(RCX, i.A);
        if (store) LoadTemp(RDX, i.B);
        _rax = -1;
        E(Instruction.Create(Code.Cmp_r64_rm64, RCX, GuestLimit));
        JumpTo(Code.Ja_rel32_64, stub);
        RequirePageFlags(OnePage(RCX, R11, EAX, size, stub), EAX, store ? PageFlags.Write : PageFlags.Read | PageFlags.Write, stub);
        var host = new MemoryOperand(R8, RCX, 1, 0, 0);
        var linked = StateOperand(CpuState.OffLinkedValue);
        if (store)
        {
            E(Instruction.Create(Code.Mov_r64_rm64, RAX, linked));
            var cmpxchg = size switch
            {
                1 => Code.Cmpxchg_rm8_r8,
                2 => Code.Cmpxchg_rm16_r16,
                4 => Code.Cmpxchg_rm32_r32,
                _ => Code.Cmpxchg_rm64_r64,
            };
            var locked = Instruction.Create(cmpxchg, host, Sized(RDX, size));
            locked.HasLockPrefix = true;
            E(locked);
            JumpTo(Code.Jne_rel32_64, stub);
            E(Instruction.Create(Code.Xor_r32_rm32, EAX, EAX));
        }
        else
        {
            LoadSized(host, size);
            E(Instruction.Create(Code.Mov_rm64_r64, linked, RAX));
        }
        StoreTemp(i.Dst);
        ResumeHere(k);
    }
}
