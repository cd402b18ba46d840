using System.Numerics;
using System.Runtime.Intrinsics;
using static UserEmu.Cpu.X86.PackedLanes;

namespace UserEmu.Cpu.X86;

/// <summary>Portable AES round steps on the x86 state layout (byte 4*column + row), for hosts without AES instructions.</summary>
public static class AesSoftware
{
    static readonly byte[] Sbox = BuildSbox();
    static readonly byte[] InvSbox = BuildInverse(Sbox);

    /// <summary>ShiftRows then SubBytes (they commute).</summary>
    public static Vector128<byte> SubShift(Vector128<byte> s)
    {
        Vector128<byte> r = default;
        for (int col = 0; col < 4; col++)
            for (int row = 0; row < 4; row++)
                Lane(ref r, 4 * col + row) = Sbox[s[4 * ((col + row) & 3) + row]];
        return r;
    }

    public static Vector128<byte> InvSubShift(Vector128<byte> s)
    {
        Vector128<byte> r = default;
        for (int col = 0; col < 4; col++)
            for (int row = 0; row < 4; row++)
                Lane(ref r, 4 * col + row) = InvSbox[s[4 * ((col - row) & 3) + row]];
        return r;
    }

    public static Vector128<byte> MixColumns(Vector128<byte> s)
    {
        Vector128<byte> r = default;
        for (int col = 0; col < 4; col++)
        {
            byte a0 = s[4 * col], a1 = s[4 * col + 1], a2 = s[4 * col + 2], a3 = s[4 * col + 3];
            Lane(ref r, 4 * col) = (byte)(Mul(a0, 2) ^ Mul(a1, 3) ^ a2 ^ a3);
            Lane(ref r, 4 * col + 1) = (byte)(a0 ^ Mul(a1, 2) ^ Mul(a2, 3) ^ a3);
            Lane(ref r, 4 * col + 2) = (byte)(a0 ^ a1 ^ Mul(a2, 2) ^ Mul(a3, 3));
            Lane(ref r, 4 * col + 3) = (byte)(Mul(a0, 3) ^ a1 ^ a2 ^ Mul(a3, 2));
        }
        return r;
    }

    public static Vector128<byte> InvMixColumns(Vector128<byte> s)
    {
        Vector128<byte> r = default;
        for (int col = 0; col < 4; col++)
        {
            byte a0 = s[4 * col], a1 = s[4 * col + 1], a2 = s[4 * col + 2], a3 = s[4 * col + 3];
            Lane(ref r, 4 * col) = (byte)(Mul(a0, 14) ^ Mul(a1, 11) ^ Mul(a2, 13) ^ Mul(a3, 9));
            Lane(ref r, 4 * col + 1) = (byte)(Mul(a0, 9) ^ Mul(a1, 14) ^ Mul(a2, 11) ^ Mul(a3, 13));
            Lane(ref r, 4 * col + 2) = (byte)(Mul(a0, 13) ^ Mul(a1, 9) ^ Mul(a2, 14) ^ Mul(a3, 11));
            Lane(ref r, 4 * col + 3) = (byte)(Mul(a0, 11) ^ Mul(a1, 13) ^ Mul(a2, 9) ^ Mul(a3, 14));
        }
        return r;
    }

    /// <summary>aeskeygenassist: SubWord and RotWord^rcon of dwords 1 and 3 of the source.</summary>
    public static Vector128<byte> KeygenAssist(Vector128<byte> s, byte rcon)
    {
        var w = s.AsUInt32();
        uint x1 = SubWord(w[1]), x3 = SubWord(w[3]);
        return Vector128.Create(x1, BitOperations.RotateRight(x1, 8) ^ rcon, x3, BitOperations.RotateRight(x3, 8) ^ rcon).AsByte();
    }

    static uint SubWord(uint x) =>
        Sbox[x & 0xff] | (uint)Sbox[x >> 8 & 0xff] << 8 | (uint)Sbox[x >> 16 & 0xff] << 16 | (uint)Sbox[x >> 24] << 24;

    /// <summary>Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1.</summary>
    static int Mul(int a, int b)
    {
        int r = 0;
        while (b != 0)
        {
            if ((b & 1) != 0) r ^= a;
            a = (a << 1) ^ ((a & 0x80) != 0 ? 0x11b : 0);
            b >>= 1;
        }
        return r;
    }

    /// <summary>The S-box from its definition: multiplicative inverse followed by the affine map.</summary>
    static byte[] BuildSbox()
    {
        var box = new byte[256];
        for (int x = 0; x < 256; x++)
        {
            int inv = 0;
            for (int y = 1; y < 256 && x != 0; y++)
                if (Mul(x, y) == 1) { inv = y; break; }
            int v = inv;
            int r = v ^ Rotl8(v, 1) ^ Rotl8(v, 2) ^ Rotl8(v, 3) ^ Rotl8(v, 4) ^ 0x63;
            box[x] = (byte)r;
        }
        return box;
    }

    static int Rotl8(int v, int n) => ((v << n) | (v >> (8 - n))) & 0xff;

    static byte[] BuildInverse(byte[] box)
    {
        var inv = new byte[256];
        for (int i = 0; i < 256; i++) inv[box[i]] = (byte)i;
        return inv;
    }
}
