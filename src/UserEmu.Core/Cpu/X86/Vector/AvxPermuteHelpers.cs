using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;
using UserEmu.Engine;
using static UserEmu.Cpu.X86.VectorHelpers;

namespace UserEmu.Cpu.X86;

/// <summary>The AVX/AVX2 data movements that cross 128-bit lanes or take three registers (permutes, broadcasts, blends, variable shifts).</summary>
/// <remarks>
/// Operands as <c>X86Emitter.VecImm</c> packs them: destination, second source (a register or the slot holding a
/// staged memory operand), imm8, and in the extra field the first source register (bits 0..7), the operand width
/// (bit 8: 256-bit) and an <see cref="AvxOp"/> (bits 9..). The result is built in a local, then written with bits
/// 255:128 zeroed for 128-bit forms.
/// </remarks>
[UserEmu.IR.VectorStateOnly]
public static unsafe class AvxPermuteHelpers
{
    /// <summary>The operations, in the extra field of the helper's imm.</summary>
    public enum AvxOp
    {
        Perm2x128, PermQ, PermD, PermilPsImm, PermilPdImm, PermilPsVar, PermilPdVar, BlendD, BlendvPs, BlendvPd, BlendvB,
        SllvD, SllvQ, SrlvD, SrlvQ, SravD, BroadcastB, BroadcastW, BroadcastD, BroadcastQ, Broadcast128, Insert128,
    }

    /// <summary>Packs the extra field: first source, width, operation.</summary>
    public static int Extra(int src1, bool ymm, AvxOp op) => src1 | (ymm ? 1 << 8 : 0) | (int)op << 9;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static byte* Reg(Vcpu cpu, int index) => (byte*)cpu.State + CpuState.XmmOffset(index);

    public static ulong Apply(Vcpu cpu, ulong a, ulong b, long imm)
    {
        int extra = VectorHelpers.Extra(imm);
        byte* s1 = Reg(cpu, extra & 0xff), s2 = Reg(cpu, Src(imm));
        bool ymm = (extra & 0x100) != 0;
        int n = ymm ? 32 : 16;
        int i8 = Imm8(imm);
        byte* r = stackalloc byte[32];
        new Span<byte>(r, 32).Clear();
        uint* r32 = (uint*)r, a32 = (uint*)s1, b32 = (uint*)s2;
        ulong* r64 = (ulong*)r, a64 = (ulong*)s1, b64 = (ulong*)s2;
        switch ((AvxOp)(extra >> 9))
        {
            case AvxOp.Perm2x128:
                for (int lane = 0; lane < 2; lane++)
                {
                    int sel = i8 >> (lane * 4);
                    if ((sel & 8) != 0) continue;
                    byte* from = (sel & 2) == 0 ? s1 : s2;
                    Buffer.MemoryCopy(from + (sel & 1) * 16, r + lane * 16, 16, 16);
                }
                break;
            case AvxOp.PermQ:
                for (int i = 0; i < 4; i++) r64[i] = b64[(i8 >> (2 * i)) & 3];
                break;
            case AvxOp.PermD:
                // vpermd/vpermps: indices in the first source, data in the second.
                for (int i = 0; i < 8; i++) r32[i] = b32[a32[i] & 7];
                break;
            case AvxOp.PermilPsImm:
                for (int i = 0; i < n / 4; i++) r32[i] = b32[(i & ~3) + ((i8 >> (2 * (i & 3))) & 3)];
                break;
            case AvxOp.PermilPdImm:
                for (int i = 0; i < n / 8; i++) r64[i] = b64[(i & ~1) + ((i8 >> i) & 1)];
                break;
            case AvxOp.PermilPsVar:
                for (int i = 0; i < n / 4; i++) r32[i] = a32[(i & ~3) + (b32[i] & 3)];
                break;
            case AvxOp.PermilPdVar:
                for (int i = 0; i < n / 8; i++) r64[i] = a64[(i & ~1) + (int)((b64[i] >> 1) & 1)];
                break;
            case AvxOp.BlendD:
                for (int i = 0; i < n / 4; i++) r32[i] = ((i8 >> i) & 1) != 0 ? b32[i] : a32[i];
                break;
            case AvxOp.BlendvPs:
            {
                uint* m = (uint*)Reg(cpu, (int)a);
                for (int i = 0; i < n / 4; i++) r32[i] = (int)m[i] < 0 ? b32[i] : a32[i];
                break;
            }
            case AvxOp.BlendvPd:
            {
                ulong* m = (ulong*)Reg(cpu, (int)a);
                for (int i = 0; i < n / 8; i++) r64[i] = (long)m[i] < 0 ? b64[i] : a64[i];
                break;
            }
            case AvxOp.BlendvB:
            {
                byte* m = Reg(cpu, (int)a);
                for (int i = 0; i < n; i++) r[i] = (m[i] & 0x80) != 0 ? s2[i] : s1[i];
                break;
            }
            case AvxOp.SllvD:
                for (int i = 0; i < n / 4; i++) r32[i] = b32[i] > 31 ? 0 : a32[i] << (int)b32[i];
                break;
            case AvxOp.SrlvD:
                for (int i = 0; i < n / 4; i++) r32[i] = b32[i] > 31 ? 0 : a32[i] >> (int)b32[i];
                break;
            case AvxOp.SravD:
                for (int i = 0; i < n / 4; i++) r32[i] = (uint)((int)a32[i] >> (int)Math.Min(b32[i], 31u));
                break;
            case AvxOp.SllvQ:
                for (int i = 0; i < n / 8; i++) r64[i] = b64[i] > 63 ? 0 : a64[i] << (int)b64[i];
                break;
            case AvxOp.SrlvQ:
                for (int i = 0; i < n / 8; i++) r64[i] = b64[i] > 63 ? 0 : a64[i] >> (int)b64[i];
                break;
            case AvxOp.BroadcastB:
                for (int i = 0; i < n; i++) r[i] = s2[0];
                break;
            case AvxOp.BroadcastW:
                for (int i = 0; i < n / 2; i++) ((ushort*)r)[i] = *(ushort*)s2;
                break;
            case AvxOp.BroadcastD:
                for (int i = 0; i < n / 4; i++) r32[i] = b32[0];
                break;
            case AvxOp.BroadcastQ:
                for (int i = 0; i < n / 8; i++) r64[i] = b64[0];
                break;
            case AvxOp.Broadcast128:
                Buffer.MemoryCopy(s2, r, 16, 16);
                Buffer.MemoryCopy(s2, r + 16, 16, 16);
                break;
            case AvxOp.Insert128:
                Buffer.MemoryCopy(s1, r, 32, 32);
                Buffer.MemoryCopy(s2, r + (i8 & 1) * 16, 16, 16);
                break;
        }
        Buffer.MemoryCopy(r, Reg(cpu, Dst(imm)), 32, 32);
        return 0;
    }

    /// <summary>vtestps/vtestpd (element size 4 or 8 in imm8) and vptest (1), 128 or 256 bits (extra bit 8): ZF and CF as EFLAGS bits.</summary>
    public static ulong Test(Vcpu cpu, ulong a, ulong b, long imm)
    {
        byte* d = Reg(cpu, Dst(imm)), s = Reg(cpu, Src(imm));
        int size = Imm8(imm);
        int n = (VectorHelpers.Extra(imm) & 0x100) != 0 ? 32 : 16;
        bool zf = true, cf = true;
        for (int i = 0; i < n; i++)
        {
            // vptest looks at every bit; vtestps/pd only at the sign bit of each element.
            int mask = size == 1 ? 0xff : (i % size == size - 1 ? 0x80 : 0);
            if ((d[i] & s[i] & mask) != 0) zf = false;
            if ((~d[i] & s[i] & mask) != 0) cf = false;
        }
        return (zf ? 0x40UL : 0) | (cf ? 1UL : 0);
    }
}
