using System.Runtime.Intrinsics;
using UserEmu.Engine;
using static UserEmu.Cpu.X86.PackedLanes;
using HostAes = System.Runtime.Intrinsics.X86.Aes;

namespace UserEmu.Cpu.X86;

/// <summary>AES-NI rounds: the host's AES instructions when it has them, else <see cref="AesSoftware"/>.</summary>
[UserEmu.IR.VectorStateOnly]
public static class AesHelpers
{
    /// <summary>False forces the software path (tests of the fallback on an AES-capable host).</summary>
    public static bool UseHost = HostAes.IsSupported;

    public static ulong Aesenc(Vcpu c, ulong a, ulong b, long imm)
    {
        ref var d = ref D<byte>(c, imm);
        d = UseHost ? HostAes.Encrypt(d, S<byte>(c, imm)) : AesSoftware.MixColumns(AesSoftware.SubShift(d)) ^ S<byte>(c, imm);
        return 0;
    }

    public static ulong Aesenclast(Vcpu c, ulong a, ulong b, long imm)
    {
        ref var d = ref D<byte>(c, imm);
        d = UseHost ? HostAes.EncryptLast(d, S<byte>(c, imm)) : AesSoftware.SubShift(d) ^ S<byte>(c, imm);
        return 0;
    }

    public static ulong Aesdec(Vcpu c, ulong a, ulong b, long imm)
    {
        ref var d = ref D<byte>(c, imm);
        d = UseHost ? HostAes.Decrypt(d, S<byte>(c, imm)) : AesSoftware.InvMixColumns(AesSoftware.InvSubShift(d)) ^ S<byte>(c, imm);
        return 0;
    }

    public static ulong Aesdeclast(Vcpu c, ulong a, ulong b, long imm)
    {
        ref var d = ref D<byte>(c, imm);
        d = UseHost ? HostAes.DecryptLast(d, S<byte>(c, imm)) : AesSoftware.InvSubShift(d) ^ S<byte>(c, imm);
        return 0;
    }

    /// <summary>aesimc: InvMixColumns of the source (a decryption round key).</summary>
    public static ulong Aesimc(Vcpu c, ulong a, ulong b, long imm)
    {
        D<byte>(c, imm) = UseHost ? HostAes.InverseMixColumns(S<byte>(c, imm)) : AesSoftware.InvMixColumns(S<byte>(c, imm));
        return 0;
    }

    public static ulong Aeskeygenassist(Vcpu c, ulong a, ulong b, long imm)
    {
        byte rcon = (byte)VectorHelpers.Imm8(imm);
        D<byte>(c, imm) = UseHost ? HostAes.KeygenAssist(S<byte>(c, imm), rcon) : AesSoftware.KeygenAssist(S<byte>(c, imm), rcon);
        return 0;
    }
}
