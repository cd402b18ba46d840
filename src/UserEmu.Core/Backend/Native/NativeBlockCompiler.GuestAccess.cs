using Iced.Intel;
using UserEmu.IR;
using UserEmu.Memory;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: guest loads and stores through r8, and the checks that guard them.
public sealed unsafe partial class NativeBlockCompiler
{
    // A guest load or store through r8. With the fault redirect, the host mapping's protection (which mirrors the
    // guest's) does the permission check: a load needs none, a store only the check for translated code on its pages.
    // Without it, the page-table check of GuestAddressSpace.FastCheck/FastWrite inline. Any failed check, or host
    // fault, leaves to the managed side, which performs the access checked (and raises its fault).
    bool GuestAccess(in IrInstr i, int k, bool store)
    {
        if (i.Size is not (1 or 2 or 4 or 8)) return false;
        int stub = NewStub(k);
        bool unchecked_ = NativeFaultRedirect.Enabled;
        // The address from its temp's register where it has one (the stub spills it there), else through rax.
        var addr = unchecked_ && i.A >= _pure && _rax != i.A && _reg[i.A] != Register.None ? _reg[i.A] : RAX;
        if (addr == RAX) LoadTemp(RAX, i.A);
        int group = _grouped ? _groups.GroupOf[k] : -1;
        if (group >= 0 && _groups.CheckAt[k] == group) CheckGroup(group, k, addr, stub);
        // A folded access (FoldAddresses) has its group's base in addr, not its address.
        // Inside the guest's reservation (so a host fault, not another host mapping, answers an unmapped page).
        if (group < 0)
        {
            E(Instruction.Create(Code.Cmp_r64_rm64, addr, GuestLimit));
            JumpTo(Code.Ja_rel32_64, stub);
        }
        var host = GuestOperand(k, addr);
        if (unchecked_)
        {
            if (store)
            {
                // A write to a page holding translated code must invalidate it (the managed path does). The flags of
                // the page and the next are tested at once: a store that crosses into a code page is caught too. (A
                // dword test: the word form's 16-bit immediate stalls the decoder on a length-changing prefix.)
                if (group < 0) NoCodeOnPages(addr, i.Size == 1, stub);
                if (i.B < _pure && Fits32(_constants[i.B]))
                {
                    RecordFaultSite(stub);
                    StoreImmediate(host, i.Size, (int)_constants[i.B]);
                }
                else
                {
                    // The value from its temp register, or through rcx.
                    var value = _reg[i.B] != Register.None && i.B >= _pure ? _reg[i.B] : RCX;
                    if (value == RCX) LoadTemp(RCX, i.B);
                    RecordFaultSite(stub);
                    StoreSized(host, i.Size, value);
                }
            }
            else
            {
                // Straight into the result's register where it has one; else both ways out of the load (fast path,
                // and back from the managed side) leave its result in rax.
                var target = ResultRegister(i.Dst, k);
                RecordFaultSite(stub);
                LoadSized(host, i.Size, target);
                if (target == RAX) StoreTemp(i.Dst);
                ResumeHere(k);
                _rax = target == RAX ? i.Dst : -1;
                return true;
            }
            ResumeHere(k);
            return true;
        }
        var flags = OnePage(RAX, RCX, EDX, i.Size, stub);
        if (store)
        {
            // Writable and not holding translated code (a write there must invalidate it: the managed path does).
            RequirePageFlags(flags, EDX, PageFlags.Write, stub);
            LoadTemp(RCX, i.B);
            StoreSized(host, i.Size, RCX);
        }
        else
        {
            E(Instruction.Create(Code.Test_rm8_imm8, flags, (int)PageFlags.Read));
            JumpTo(Code.Je_rel32_64, stub);
            LoadSized(host, i.Size);
            StoreTemp(i.Dst);
        }
        ResumeHere(k);
        if (!store) _rax = i.Dst;
        return true;
    }

    /// <summary>
    /// Takes <paramref name="stub"/> unless the <paramref name="size"/> bytes at the guest address in <paramref name="addr"/>
    /// lie on one page; returns that page's byte in the page table (its index in <paramref name="page"/>; <paramref name="scratch"/> is clobbered).
    /// </summary>
    MemoryOperand OnePage(Register addr, Register page, Register scratch, int size, int stub)
    {
        E(Instruction.Create(Code.Mov_r64_rm64, page, addr));
        E(Instruction.Create(Code.Shr_rm64_imm8, page, GuestAddressSpace.PageShift));
        if (size > 1)
        {
            E(Instruction.Create(Code.Mov_r32_rm32, scratch, Sized(addr, 4)));
            E(Instruction.Create(Code.And_rm32_imm32, scratch, (int)GuestAddressSpace.PageMask));
            E(Instruction.Create(Code.Cmp_rm32_imm32, scratch, (int)GuestAddressSpace.PageSize - size));
            JumpTo(Code.Ja_rel32_64, stub);
        }
        E(Instruction.Create(Code.Add_r64_rm64, page, PageTable));
        return new MemoryOperand(page);
    }

    /// <summary>Takes <paramref name="stub"/> unless the page's <paramref name="flags"/> hold <paramref name="need"/> and no translated code.</summary>
    void RequirePageFlags(MemoryOperand flags, Register scratch, PageFlags need, int stub)
    {
        E(Instruction.Create(Code.Movzx_r32_rm8, scratch, flags));
        E(Instruction.Create(Code.And_rm32_imm8, scratch, (int)(need | PageFlags.HasCode)));
        E(Instruction.Create(Code.Cmp_rm32_imm8, scratch, (int)need));
        JumpTo(Code.Jne_rel32_64, stub);
    }

    void LoadSized(MemoryOperand m, int size, Register to = RAX) => E(size switch
    {
        1 => Instruction.Create(Code.Movzx_r32_rm8, Low32(to), m),
        2 => Instruction.Create(Code.Movzx_r32_rm16, Low32(to), m),
        4 => Instruction.Create(Code.Mov_r32_rm32, Low32(to), m),
        _ => Instruction.Create(Code.Mov_r64_rm64, to, m),
    });

    // Jumps to `target` if the page of the address in `addr` (or, unless `onePage`, the next one too) holds translated code.
    // Nothing where such a store faults instead (GuestAddressSpace.ProtectsCodePages): its stub finds the code.
    void NoCodeOnPages(Register addr, bool onePage, int target)
    {
        if (_storesFaultOnCode) return;
        if (addr != RCX) E(Instruction.Create(Code.Mov_r64_rm64, RCX, addr));
        E(Instruction.Create(Code.Shr_rm64_imm8, RCX, GuestAddressSpace.PageShift));
        E(Instruction.Create(Code.Add_r64_rm64, RCX, PageTable));
        var pages = new MemoryOperand(RCX);
        if (onePage) E(Instruction.Create(Code.Test_rm8_imm8, pages, (int)PageFlags.HasCode));
        else E(Instruction.Create(Code.Test_rm32_imm32, pages, (int)PageFlags.HasCode * 0x101));
        JumpTo(Code.Jne_rel32_64, target);
    }

    // Before the first access of group g (op k, its address in `addr`): the group's whole span lies inside the guest's
    // reservation and, if it stores, on no page with translated code (a span of at most MemoryAccessGroups.MaxSpan
    // bytes touches a page and the next). Its accesses then make no check of their own; page faults still reach each
    // one's stub through the fault marker. Failing, the block ends in the interpreter from op k, which checks each.
    void CheckGroup(int g, int k, Register addr, int stub)
    {
        var group = _groups.Groups[g];
        // A group of one access (at an offset folded into its addressing mode) fails to that access's own stub, which
        // performs it on the managed side and comes back: a group exit's stub as well grew cc1's code by 7%.
        int exit = group.Accesses == 1 ? stub : NewGroupExit(k);
        long addrOffset = _folded[k] ? 0 : _groups.OffsetOf[k], low = group.Low - addrOffset;
        // A span within a guard's size below or above addr needs addr alone in the reservation (no lea), unless its
        // stores test the pages of its start for translated code (with threads: NoCodeOnPages).
        if ((!group.Stores || _storesFaultOnCode) && low >= -GuestAddressSpace.GuardBytes && low + group.Span <= GuestAddressSpace.GuardBytes) low = 0;
        var start = RequireInReservation(addr, low, group.Span, exit);
        if (group.Stores) NoCodeOnPages(start, onePage: false, exit);
    }

    // Jumps to `target` unless guest bytes [addr + offset, + span) start inside the reservation, at most at the highest
    // start of an 8-byte access (a non-canonical address fails). The rest of a span up to the guard's size
    // (GuestAddressSpace.GuardBytes) is then in the reservation or its guard, where an access faults to its stub: one
    // compare, where both ends took two (nbody's 16-byte loads, cc1's groups). Returns the register holding
    // addr + offset: addr itself for offset 0, else rcx.
    Register RequireInReservation(Register addr, long offset, int span, int target)
    {
        if (span > GuestAddressSpace.GuardBytes) throw new ArgumentOutOfRangeException(nameof(span));
        var start = addr;
        if (offset != 0) E(Instruction.Create(Code.Lea_r64_m, start = RCX, new MemoryOperand(addr, offset)));
        E(Instruction.Create(Code.Cmp_r64_rm64, start, GuestLimit));
        JumpTo(Code.Ja_rel32_64, target);
        return start;
    }

    /// <summary>Records the unchecked load or store emitted next: the fault handler sends a host fault there to <paramref name="stub"/> (see <see cref="NativeFaultRedirect"/>).</summary>
    void RecordFaultSite(int stub) => _faultSites.Add(new NativeCodeArena.FaultSite(_buf.Length, stub));
}
