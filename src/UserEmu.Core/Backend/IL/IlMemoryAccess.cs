using System.Reflection;
using System.Reflection.Emit;
using UserEmu.Engine;
using UserEmu.Memory;

namespace UserEmu.Backend.IL;

/// <summary>IL for guest loads and stores: an inline page-table check and direct host access, with a call to the checked path otherwise.</summary>
static unsafe class IlMemoryAccess
{
    static readonly MethodInfo LoadSlowMethod = typeof(IlMemoryAccess).GetMethod(nameof(LoadSlow), BindingFlags.NonPublic | BindingFlags.Static)!;
    static readonly MethodInfo StoreSlowMethod = typeof(IlMemoryAccess).GetMethod(nameof(StoreSlow), BindingFlags.NonPublic | BindingFlags.Static)!;

    // Out of line: the slow path is rare, and inlined it would use up the region's inlining budget.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static ulong LoadSlow(Vcpu cpu, ulong addr, int size) => cpu.Memory.Read(addr, size);
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static void StoreSlow(Vcpu cpu, ulong addr, int size, ulong value) => cpu.Memory.Write(addr, size, value);

    public static void LoadInd(ILGenerator il, int size)
    {
        if (size > 1) il.Emit(OpCodes.Unaligned, (byte)1);
        switch (size)
        {
            case 1: il.Emit(OpCodes.Ldind_U1); il.Emit(OpCodes.Conv_U8); break;
            case 2: il.Emit(OpCodes.Ldind_U2); il.Emit(OpCodes.Conv_U8); break;
            case 4: il.Emit(OpCodes.Ldind_U4); il.Emit(OpCodes.Conv_U8); break;
            default: il.Emit(OpCodes.Ldind_I8); break;
        }
    }

    public static void StoreInd(ILGenerator il, int size)
    {
        // The unaligned. prefix must come immediately before the stind.
        switch (size)
        {
            case 1: il.Emit(OpCodes.Conv_U1); il.Emit(OpCodes.Stind_I1); break;
            case 2: il.Emit(OpCodes.Conv_U2); il.Emit(OpCodes.Unaligned, (byte)1); il.Emit(OpCodes.Stind_I2); break;
            case 4: il.Emit(OpCodes.Conv_U4); il.Emit(OpCodes.Unaligned, (byte)1); il.Emit(OpCodes.Stind_I4); break;
            default: il.Emit(OpCodes.Unaligned, (byte)1); il.Emit(OpCodes.Stind_I8); break;
        }
    }

    // Branches to `slow` unless [addr, addr+size) lies in one page whose flags, masked by `mask`, equal `need`.
    static void FastCheck(ILGenerator il, GuestAddressSpace memory, LocalBuilder addr, LocalBuilder page, int size, PageFlags mask, PageFlags need, Label slow)
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

    static void HostAddress(ILGenerator il, GuestAddressSpace memory, LocalBuilder addr)
    {
        il.Emit(OpCodes.Ldc_I8, (long)memory.HostBase);
        il.Emit(OpCodes.Conv_U);
        il.Emit(OpCodes.Ldloc, addr);
        il.Emit(OpCodes.Conv_U);
        il.Emit(OpCodes.Add);
    }

    /// <summary>ok = [addr, addr+span) lies in one page whose flags, masked by <paramref name="mask"/>, equal <paramref name="need"/> (see <see cref="MemoryAccessGroups"/>).</summary>
    public static void CheckSpan(ILGenerator il, GuestAddressSpace memory, LocalBuilder addr, LocalBuilder page, int span, PageFlags mask, PageFlags need, LocalBuilder ok)
    {
        var fail = il.DefineLabel();
        var done = il.DefineLabel();
        FastCheck(il, memory, addr, page, span, mask, need, fail);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Stloc, ok);
        il.Emit(OpCodes.Br, done);
        il.MarkLabel(fail);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stloc, ok);
        il.MarkLabel(done);
    }

    /// <summary>dst = guest[addr] for an access its group's check (<paramref name="ok"/>) already covered; the checked helper otherwise.</summary>
    public static void LoadChecked(ILGenerator il, GuestAddressSpace memory, int size, LocalBuilder addr, LocalBuilder dst, LocalBuilder ok, Action? onSlowPath)
    {
        var slow = il.DefineLabel();
        il.Emit(OpCodes.Ldloc, ok);
        il.Emit(OpCodes.Brfalse, slow);
        LoadOrSlow(il, memory, size, addr, dst, slow, onSlowPath);
    }

    /// <summary>guest[addr] = value for an access its group's check (<paramref name="ok"/>) already covered; the checked helper otherwise.</summary>
    public static void StoreChecked(ILGenerator il, GuestAddressSpace memory, int size, LocalBuilder addr, LocalBuilder value, LocalBuilder ok, Action? onSlowPath)
    {
        var slow = il.DefineLabel();
        il.Emit(OpCodes.Ldloc, ok);
        il.Emit(OpCodes.Brfalse, slow);
        StoreOrSlow(il, memory, size, addr, value, slow, onSlowPath);
    }

    /// <summary>dst = guest[addr]; <paramref name="onSlowPath"/> emits what the checked path needs first (the guest PC, for a precise fault).</summary>
    public static void Load(ILGenerator il, GuestAddressSpace memory, int size, LocalBuilder addr, LocalBuilder dst, LocalBuilder page, Action? onSlowPath)
    {
        var slow = il.DefineLabel();
        FastCheck(il, memory, addr, page, size, PageFlags.Read, PageFlags.Read, slow);
        LoadOrSlow(il, memory, size, addr, dst, slow, onSlowPath);
    }

    /// <summary>guest[addr] = value, with writes to pages holding code going through the checked path (it invalidates them).</summary>
    public static void Store(ILGenerator il, GuestAddressSpace memory, int size, LocalBuilder addr, LocalBuilder value, LocalBuilder page, Action? onSlowPath)
    {
        var slow = il.DefineLabel();
        FastCheck(il, memory, addr, page, size, PageFlags.Write | PageFlags.HasCode, PageFlags.Write, slow);
        StoreOrSlow(il, memory, size, addr, value, slow, onSlowPath);
    }

    // The direct host access (reached when the check passed), then at `slow` the call to the checked path.
    static void LoadOrSlow(ILGenerator il, GuestAddressSpace memory, int size, LocalBuilder addr, LocalBuilder dst, Label slow, Action? onSlowPath)
    {
        var done = il.DefineLabel();
        HostAddress(il, memory, addr);
        LoadInd(il, size);
        il.Emit(OpCodes.Stloc, dst);
        il.Emit(OpCodes.Br, done);
        il.MarkLabel(slow);
        onSlowPath?.Invoke();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloc, addr);
        il.Emit(OpCodes.Ldc_I4, size);
        il.Emit(OpCodes.Call, LoadSlowMethod);
        il.Emit(OpCodes.Stloc, dst);
        il.MarkLabel(done);
    }

    static void StoreOrSlow(ILGenerator il, GuestAddressSpace memory, int size, LocalBuilder addr, LocalBuilder value, Label slow, Action? onSlowPath)
    {
        var done = il.DefineLabel();
        HostAddress(il, memory, addr);
        il.Emit(OpCodes.Ldloc, value);
        StoreInd(il, size);
        il.Emit(OpCodes.Br, done);
        il.MarkLabel(slow);
        onSlowPath?.Invoke();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloc, addr);
        il.Emit(OpCodes.Ldc_I4, size);
        il.Emit(OpCodes.Ldloc, value);
        il.Emit(OpCodes.Call, StoreSlowMethod);
        il.MarkLabel(done);
    }
}
