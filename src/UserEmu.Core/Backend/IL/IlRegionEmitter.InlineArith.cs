using System.Reflection;
using System.Reflection.Emit;
using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Backend.IL;

/// <summary>
/// SSE add/sub/mul/div/sqrt inline: the common case (<see cref="SseInlineArith"/>) runs in the region; only when it
/// does not apply does the region call the exact helper.
/// </summary>
sealed partial class IlRegionEmitter
{
    /// <summary>An inlinable helper: its fast path per 64-bit half, how many halves, and the bytes written in the low half.</summary>
    readonly record struct InlineShape(MethodInfo Fast, int Halves, int LowWidth);

    static readonly Dictionary<MethodInfo, InlineShape> s_inlineArith = BuildInlineArith();

    static Dictionary<MethodInfo, InlineShape> BuildInlineArith()
    {
        var map = new Dictionary<MethodInfo, InlineShape>();
        void Add(string helper, string fast, int halves, int width) =>
            map[typeof(SseArithFastHelpers).GetMethod(helper)!] = new(typeof(SseInlineArith).GetMethod(fast)!, halves, width);
        foreach (var op in new[] { "Add", "Sub", "Mul", "Div", "Sqrt" })
        {
            Add(op + "Sd", op + "Sd", 1, 8);
            Add(op + "Ss", op + "Ss", 1, 4);
            Add(op + "Pd", op + "Sd", 2, 8);
            Add(op + "Ps", op + "Ps2", 2, 8);
        }
        return map;
    }

    LocalBuilder[]? _inlineResults;

    static bool InlineShapeOf(in IrInstr i, out InlineShape shape) => s_inlineArith.TryGetValue(HelperTable.Method(i.Helper), out shape);

    bool TryInlineArith(in IrInstr i)
    {
        if (!InlineShapeOf(i, out var shape)) return false;
        var il = _il;
        _inlineResults ??= [il.DeclareLocal(typeof(ulong)), il.DeclareLocal(typeof(ulong))];
        long dst = CpuState.XmmOffset(VectorHelpers.Dst(i.Imm)), src = CpuState.XmmOffset(VectorHelpers.Src(i.Imm));
        var slow = il.DefineLabel();
        var done = il.DefineLabel();
        LoadState(CpuState.OffMxcsr, 4);
        il.Emit(OpCodes.Ldc_I4, (int)SseInlineArith.MxcsrMask);
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Ldc_I4, (int)SseInlineArith.MxcsrFast);
        il.Emit(OpCodes.Bne_Un, slow);
        for (int h = 0; h < shape.Halves; h++)
        {
            LoadState(dst + 8 * h, 8);
            LoadState(src + 8 * h, 8);
            il.Emit(OpCodes.Ldloca, _inlineResults[h]);
            il.Emit(OpCodes.Call, shape.Fast);
            il.Emit(OpCodes.Brfalse, slow);
        }
        // Every lane took the fast path: only now is anything written.
        for (int h = 0; h < shape.Halves; h++) StoreState(dst + 8 * h, h == 0 ? shape.LowWidth : 8, _inlineResults[h]);
        il.Emit(OpCodes.Br, done);
        il.MarkLabel(slow);
        HelperCall(i);
        il.MarkLabel(done);
        return true;
    }
}
