using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using UserEmu.Engine;
using static UserEmu.Cpu.X86.PackedLanes;

namespace UserEmu.Cpu.X86;

/// <summary>Packed shifts psll/psrl/psra (count in <c>a</c>: the imm8 or the low quadword of the count register) (the imm8 logical forms and the byte shifts are lowered to IR).</summary>
/// <remarks>Unlike .NET's shift operators, x86 does not mask the count: past the lane width a logical shift gives 0 and an arithmetic one the sign.</remarks>
[UserEmu.IR.VectorStateOnly]
public static class PackedShiftHelpers
{
    public static ulong Psllw(Vcpu c, ulong count, ulong b, long imm) { ref var d = ref D<ushort>(c, imm); d = count > 15 ? default : Vector128.ShiftLeft(d, (int)count); return 0; }
    public static ulong Pslld(Vcpu c, ulong count, ulong b, long imm) { ref var d = ref D<uint>(c, imm); d = count > 31 ? default : Vector128.ShiftLeft(d, (int)count); return 0; }
    public static ulong Psllq(Vcpu c, ulong count, ulong b, long imm) { ref var d = ref D<ulong>(c, imm); d = count > 63 ? default : Vector128.ShiftLeft(d, (int)count); return 0; }
    public static ulong Psrlw(Vcpu c, ulong count, ulong b, long imm) { ref var d = ref D<ushort>(c, imm); d = count > 15 ? default : Vector128.ShiftRightLogical(d, (int)count); return 0; }
    public static ulong Psrld(Vcpu c, ulong count, ulong b, long imm) { ref var d = ref D<uint>(c, imm); d = count > 31 ? default : Vector128.ShiftRightLogical(d, (int)count); return 0; }
    public static ulong Psrlq(Vcpu c, ulong count, ulong b, long imm) { ref var d = ref D<ulong>(c, imm); d = count > 63 ? default : Vector128.ShiftRightLogical(d, (int)count); return 0; }
    public static ulong Psraw(Vcpu c, ulong count, ulong b, long imm) { ref var d = ref D<short>(c, imm); d = Vector128.ShiftRightArithmetic(d, (int)Math.Min(count, 15)); return 0; }
    public static ulong Psrad(Vcpu c, ulong count, ulong b, long imm) { ref var d = ref D<int>(c, imm); d = Vector128.ShiftRightArithmetic(d, (int)Math.Min(count, 31)); return 0; }
}
