using System.Reflection;
using System.Reflection.Emit;
using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.IR;
using UserEmu.Memory;

namespace UserEmu.Backend.IL;

/// <summary>Compiles a block's IR to a DynamicMethod; RyuJIT turns it into host code (the hot tier).</summary>
/// <remarks>
/// Temps become IL locals. Guest memory accesses are inlined as a page-table check plus a direct host access;
/// anything else (page crossing, protection, self-modifying code) goes to the address space's checked path,
/// which raises the guest fault with the PC already stored by the instruction's InsnStart.
/// </remarks>
public static unsafe class IlBlockCompiler
{
    static readonly Type[] Params = [typeof(Vcpu), typeof(CpuState*)];
    static readonly MethodInfo ReadSlow = typeof(IlBlockCompiler).GetMethod(nameof(LoadSlow), BindingFlags.NonPublic | BindingFlags.Static)!;
    static readonly MethodInfo WriteSlow = typeof(IlBlockCompiler).GetMethod(nameof(StoreSlow), BindingFlags.NonPublic | BindingFlags.Static)!;
    static readonly MethodInfo BigMulU = typeof(IlBlockCompiler).GetMethod(nameof(MulHighUnsigned), BindingFlags.NonPublic | BindingFlags.Static)!;
    static readonly MethodInfo BigMulS = typeof(IlBlockCompiler).GetMethod(nameof(MulHighSigned), BindingFlags.NonPublic | BindingFlags.Static)!;
    static MethodInfo Sem(string name) => typeof(IrSemantics).GetMethod(name)!;

    static ulong LoadSlow(Vcpu cpu, ulong addr, int size) => cpu.Memory.Read(addr, size);
    static void StoreSlow(Vcpu cpu, ulong addr, int size, ulong value) => cpu.Memory.Write(addr, size, value);
    static ulong MulHighUnsigned(ulong a, ulong b) => Math.BigMul(a, b, out _);
    static ulong MulHighSigned(ulong a, ulong b) => (ulong)Math.BigMul((long)a, (long)b, out _);

    public static CompiledBlock Compile(IrBlock block, GuestAddressSpace memory)
    {
        var dm = new DynamicMethod($"tb_{block.GuestPc:x}", typeof(int), Params, typeof(IlBlockCompiler).Module, skipVisibility: true);
        var il = dm.GetILGenerator(block.Code.Length * 16 + 64);
        var temps = new LocalBuilder[block.TempCount];
        for (int k = 0; k < temps.Length; k++) temps[k] = il.DeclareLocal(typeof(ulong));
        var page = il.DeclareLocal(typeof(ulong));

        void Ld(ushort t) => il.Emit(OpCodes.Ldloc, temps[t]);
        void St(ushort t) => il.Emit(OpCodes.Stloc, temps[t]);
        void StatePtr(long offset)
        {
            il.Emit(OpCodes.Ldarg_1);
            if (offset != 0)
            {
                il.Emit(OpCodes.Ldc_I4, (int)offset);
                il.Emit(OpCodes.Add);
            }
        }
        void Bin(in IrInstr i, OpCode op) { Ld(i.A); Ld(i.B); il.Emit(op); St(i.Dst); }
        void Shift(in IrInstr i, OpCode op) { Ld(i.A); Ld(i.B); il.Emit(OpCodes.Conv_I4); il.Emit(OpCodes.Ldc_I4, 63); il.Emit(OpCodes.And); il.Emit(op); St(i.Dst); }
        void Cmp(in IrInstr i, OpCode op) { Ld(i.A); Ld(i.B); il.Emit(op); il.Emit(OpCodes.Conv_U8); St(i.Dst); }
        void CmpNot(in IrInstr i, OpCode op) { Ld(i.A); Ld(i.B); il.Emit(op); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ceq); il.Emit(OpCodes.Conv_U8); St(i.Dst); }
        void SizedCall(in IrInstr i, string name, bool withB)
        {
            Ld(i.A);
            if (withB) Ld(i.B);
            il.Emit(OpCodes.Ldc_I4, (int)i.Size);
            il.Emit(OpCodes.Call, Sem(name));
            St(i.Dst);
        }
        void SetRip(long pc)
        {
            StatePtr(CpuState.OffRip);
            il.Emit(OpCodes.Ldc_I8, pc);
            il.Emit(OpCodes.Stind_I8);
        }
        void Return(BlockExit exit)
        {
            il.Emit(OpCodes.Ldc_I4, (int)exit);
            il.Emit(OpCodes.Ret);
        }

        foreach (ref readonly var i in block.Code.AsSpan())
        {
            switch (i.Op)
            {
                case IrOp.Nop: break;
                case IrOp.InsnStart:
                    if (i.Aux != 0) SetRip(i.Imm);
                    break;
                case IrOp.Const: il.Emit(OpCodes.Ldc_I8, i.Imm); St(i.Dst); break;
                case IrOp.Mov: Ld(i.A); St(i.Dst); break;
                case IrOp.LoadState:
                    StatePtr(i.Imm);
                    EmitLoadInd(il, i.Size);
                    St(i.Dst);
                    break;
                case IrOp.StoreState:
                    StatePtr(i.Imm);
                    Ld(i.A);
                    EmitStoreInd(il, i.Size);
                    break;
                case IrOp.Add: Bin(i, OpCodes.Add); break;
                case IrOp.Sub: Bin(i, OpCodes.Sub); break;
                case IrOp.And: Bin(i, OpCodes.And); break;
                case IrOp.Or: Bin(i, OpCodes.Or); break;
                case IrOp.Xor: Bin(i, OpCodes.Xor); break;
                case IrOp.Mul: Bin(i, OpCodes.Mul); break;
                case IrOp.Shl: Shift(i, OpCodes.Shl); break;
                case IrOp.Shr: Shift(i, OpCodes.Shr_Un); break;
                case IrOp.Sar: Shift(i, OpCodes.Shr); break;
                case IrOp.Rol: SizedCall(i, nameof(IrSemantics.Rol), true); break;
                case IrOp.Ror: SizedCall(i, nameof(IrSemantics.Ror), true); break;
                case IrOp.MulHiU: Ld(i.A); Ld(i.B); il.Emit(OpCodes.Call, BigMulU); St(i.Dst); break;
                case IrOp.MulHiS: Ld(i.A); Ld(i.B); il.Emit(OpCodes.Call, BigMulS); St(i.Dst); break;
                case IrOp.Neg: Ld(i.A); il.Emit(OpCodes.Neg); St(i.Dst); break;
                case IrOp.Not: Ld(i.A); il.Emit(OpCodes.Not); St(i.Dst); break;
                case IrOp.ZExt:
                    Ld(i.A);
                    il.Emit(i.Size switch { 1 => OpCodes.Conv_U1, 2 => OpCodes.Conv_U2, _ => OpCodes.Conv_U4 });
                    il.Emit(OpCodes.Conv_U8);
                    St(i.Dst);
                    break;
                case IrOp.SExt:
                    Ld(i.A);
                    il.Emit(i.Size switch { 1 => OpCodes.Conv_I1, 2 => OpCodes.Conv_I2, _ => OpCodes.Conv_I4 });
                    il.Emit(OpCodes.Conv_I8);
                    St(i.Dst);
                    break;
                case IrOp.Bswap: SizedCall(i, nameof(IrSemantics.Bswap), false); break;
                case IrOp.CmpEq: Cmp(i, OpCodes.Ceq); break;
                case IrOp.CmpNe: CmpNot(i, OpCodes.Ceq); break;
                case IrOp.CmpLtU: Cmp(i, OpCodes.Clt_Un); break;
                case IrOp.CmpLtS: Cmp(i, OpCodes.Clt); break;
                case IrOp.CmpLeU: CmpNot(i, OpCodes.Cgt_Un); break;
                case IrOp.CmpLeS: CmpNot(i, OpCodes.Cgt); break;
                case IrOp.Select:
                {
                    var no = il.DefineLabel();
                    var done = il.DefineLabel();
                    Ld(i.A);
                    il.Emit(OpCodes.Brfalse, no);
                    Ld(i.B);
                    il.Emit(OpCodes.Br, done);
                    il.MarkLabel(no);
                    Ld(i.C);
                    il.MarkLabel(done);
                    St(i.Dst);
                    break;
                }
                case IrOp.Load: EmitGuestLoad(il, memory, i, temps, page); break;
                case IrOp.Store: EmitGuestStore(il, memory, i, temps, page); break;
                case IrOp.Call:
                    il.Emit(OpCodes.Ldarg_0);
                    Ld(i.A);
                    Ld(i.B);
                    il.Emit(OpCodes.Ldc_I8, i.Imm);
                    il.Emit(OpCodes.Call, HelperTable.Method(i.Helper));
                    St(i.Dst);
                    break;
                case IrOp.Jump:
                    SetRip(i.Imm);
                    Return(BlockExit.Next);
                    break;
                case IrOp.JumpIndirect:
                    StatePtr(CpuState.OffRip);
                    Ld(i.A);
                    il.Emit(OpCodes.Stind_I8);
                    Return(BlockExit.Next);
                    break;
                case IrOp.Branch:
                {
                    var no = il.DefineLabel();
                    Ld(i.A);
                    il.Emit(OpCodes.Brfalse, no);
                    SetRip(i.Imm);
                    Return(BlockExit.Next);
                    il.MarkLabel(no);
                    SetRip(i.Imm2);
                    Return(BlockExit.Next);
                    break;
                }
                case IrOp.Syscall:
                    SetRip(i.Imm);
                    Return(BlockExit.Syscall);
                    break;
                default: throw new InvalidOperationException($"IR op {i.Op} not handled by the IL backend");
            }
        }
        return dm.CreateDelegate<CompiledBlock>();
    }

    static void EmitLoadInd(ILGenerator il, int size)
    {
        il.Emit(OpCodes.Unaligned, (byte)1);
        switch (size)
        {
            case 1: il.Emit(OpCodes.Ldind_U1); il.Emit(OpCodes.Conv_U8); break;
            case 2: il.Emit(OpCodes.Ldind_U2); il.Emit(OpCodes.Conv_U8); break;
            case 4: il.Emit(OpCodes.Ldind_U4); il.Emit(OpCodes.Conv_U8); break;
            default: il.Emit(OpCodes.Ldind_I8); break;
        }
    }

    static void EmitStoreInd(ILGenerator il, int size)
    {
        il.Emit(OpCodes.Unaligned, (byte)1);
        switch (size)
        {
            case 1: il.Emit(OpCodes.Conv_U1); il.Emit(OpCodes.Stind_I1); break;
            case 2: il.Emit(OpCodes.Conv_U2); il.Emit(OpCodes.Stind_I2); break;
            case 4: il.Emit(OpCodes.Conv_U4); il.Emit(OpCodes.Stind_I4); break;
            default: il.Emit(OpCodes.Stind_I8); break;
        }
    }

    // Branches to `slow` unless [addr, addr+size) lies in one page whose flags, masked by `mask`, equal `need`.
    static void EmitFastCheck(ILGenerator il, GuestAddressSpace memory, LocalBuilder addr, LocalBuilder page, int size, PageFlags mask, PageFlags need, Label slow)
    {
        il.Emit(OpCodes.Ldloc, addr);
        il.Emit(OpCodes.Ldc_I4, GuestAddressSpace.PageShift);
        il.Emit(OpCodes.Shr_Un);
        il.Emit(OpCodes.Stloc, page);
        il.Emit(OpCodes.Ldloc, page);
        il.Emit(OpCodes.Ldc_I8, (long)memory.PageCount);
        il.Emit(OpCodes.Bge_Un, slow);
        il.Emit(OpCodes.Ldc_I8, (long)memory.Pages);
        il.Emit(OpCodes.Conv_U);
        il.Emit(OpCodes.Ldloc, page);
        il.Emit(OpCodes.Conv_U);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Ldind_U1);
        il.Emit(OpCodes.Ldc_I4, (int)mask);
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Ldc_I4, (int)need);
        il.Emit(OpCodes.Bne_Un, slow);
        if (size > 1)
        {
            il.Emit(OpCodes.Ldloc, addr);
            il.Emit(OpCodes.Conv_U4);
            il.Emit(OpCodes.Ldc_I4, (int)GuestAddressSpace.PageMask);
            il.Emit(OpCodes.And);
            il.Emit(OpCodes.Ldc_I4, (int)GuestAddressSpace.PageSize - size);
            il.Emit(OpCodes.Bgt_Un, slow);
        }
    }

    static void EmitHostAddress(ILGenerator il, GuestAddressSpace memory, LocalBuilder addr)
    {
        il.Emit(OpCodes.Ldc_I8, (long)memory.HostBase);
        il.Emit(OpCodes.Conv_U);
        il.Emit(OpCodes.Ldloc, addr);
        il.Emit(OpCodes.Conv_U);
        il.Emit(OpCodes.Add);
    }

    static void EmitGuestLoad(ILGenerator il, GuestAddressSpace memory, in IrInstr i, LocalBuilder[] temps, LocalBuilder page)
    {
        var slow = il.DefineLabel();
        var done = il.DefineLabel();
        EmitFastCheck(il, memory, temps[i.A], page, i.Size, PageFlags.Read, PageFlags.Read, slow);
        EmitHostAddress(il, memory, temps[i.A]);
        EmitLoadInd(il, i.Size);
        il.Emit(OpCodes.Stloc, temps[i.Dst]);
        il.Emit(OpCodes.Br, done);
        il.MarkLabel(slow);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldloc, temps[i.A]);
        il.Emit(OpCodes.Ldc_I4, (int)i.Size);
        il.Emit(OpCodes.Call, ReadSlow);
        il.Emit(OpCodes.Stloc, temps[i.Dst]);
        il.MarkLabel(done);
    }

    static void EmitGuestStore(ILGenerator il, GuestAddressSpace memory, in IrInstr i, LocalBuilder[] temps, LocalBuilder page)
    {
        var slow = il.DefineLabel();
        var done = il.DefineLabel();
        EmitFastCheck(il, memory, temps[i.A], page, i.Size, PageFlags.Write | PageFlags.HasCode, PageFlags.Write, slow);
        EmitHostAddress(il, memory, temps[i.A]);
        il.Emit(OpCodes.Ldloc, temps[i.B]);
        EmitStoreInd(il, i.Size);
        il.Emit(OpCodes.Br, done);
        il.MarkLabel(slow);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldloc, temps[i.A]);
        il.Emit(OpCodes.Ldc_I4, (int)i.Size);
        il.Emit(OpCodes.Ldloc, temps[i.B]);
        il.Emit(OpCodes.Call, WriteSlow);
        il.MarkLabel(done);
    }
}
