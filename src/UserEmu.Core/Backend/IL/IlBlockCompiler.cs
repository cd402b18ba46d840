using System.Reflection;
using System.Reflection.Emit;
using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.IR;
using UserEmu.Memory;

namespace UserEmu.Backend.IL;

/// <summary>Compiles IR to a DynamicMethod that RyuJIT turns into host code: one block, or a region of blocks whose internal branches stay inside the method.</summary>
/// <remarks>
/// Guest state is read and written in the vCPU's state block, so every exit, helper call and fault sees it precise
/// without a write-back. Temps are block-local, so blocks share their IL locals.
/// </remarks>
public static unsafe class IlBlockCompiler
{
    internal static readonly Type[] Params = [typeof(RegionLinks), typeof(Vcpu), typeof(CpuState*)];
    internal static readonly MethodInfo BigMulU = typeof(IlBlockCompiler).GetMethod(nameof(MulHighUnsigned), BindingFlags.NonPublic | BindingFlags.Static)!;
    internal static readonly MethodInfo BigMulS = typeof(IlBlockCompiler).GetMethod(nameof(MulHighSigned), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>Pushes the vCPU's interrupt word (<see cref="CpuState.Interrupt"/>, off the state pointer in argument 1), which a thread that needs this one in its dispatcher sets.</summary>
    internal static void EmitLoadInterrupt(ILGenerator il)
    {
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldc_I4, CpuState.OffInterrupt);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Volatile);
        il.Emit(OpCodes.Ldind_U4);
    }

    static ulong MulHighUnsigned(ulong a, ulong b) => Math.BigMul(a, b, out _);
    static ulong MulHighSigned(ulong a, ulong b) => (ulong)Math.BigMul((long)a, (long)b, out _);

    public static CompiledBlock Compile(IrBlock block, GuestAddressSpace memory) => Compile([PreparedBlock.Prepare(block)], memory);

    /// <summary>
    /// IL size past which a region is split. RyuJIT silently compiles a method with MinOpts (every local on the stack)
    /// past 60,000 IL bytes or 8,000 local-variable references; regions stay well under both.
    /// </summary>
    public const int MaxRegionIlBytes = 24_000;

    /// <summary>Compiles a region entered at <c>region[0]</c>.</summary>
    public static CompiledBlock Compile(IReadOnlyList<PreparedBlock> region, GuestAddressSpace memory) =>
        TryCompile(region, memory, int.MaxValue, chain: true)!;

    /// <summary>
    /// Compiles a region, or returns null if its IL would pass <paramref name="maxIlBytes"/> (a single block always
    /// compiles). With <paramref name="chain"/>, its exits continue straight into other compiled regions.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050",
        Justification = "Regions are compiled only where EmulatorOptions.CanCompileRegions: a NativeAOT engine refuses -jit-threshold >= 0.")]
    public static CompiledBlock? TryCompile(IReadOnlyList<PreparedBlock> region, GuestAddressSpace memory, int maxIlBytes, bool chain)
    {
        var dm = new DynamicMethod($"tb_{region[0].GuestPc:x}", typeof(int), Params, typeof(IlBlockCompiler).Module, skipVisibility: true);
        var il = dm.GetILGenerator();
        var emitter = new IlRegionEmitter(il, region, memory, chain);
        emitter.Emit();
        if (il.ILOffset > maxIlBytes && region.Count > 1) return null;
        return dm.CreateDelegate<CompiledBlock>(new RegionLinks(emitter.DirectExits));
    }
}
