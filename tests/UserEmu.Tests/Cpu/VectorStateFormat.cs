using System.Text;
using Iced.Intel;

namespace UserEmu.Tests.Cpu;

/// <summary>Text of the vector state a case starts from: MXCSR and the XMM registers its instruction names (for failure messages).</summary>
public static unsafe class VectorStateFormat
{
    public static string VectorState(this CpuTestCase c)
    {
        var insn = c.Insn;
        var sb = new StringBuilder();
        var s = c.Initial;
        for (int i = 0; i < insn.OpCount; i++)
        {
            if (insn.GetOpKind(i) != OpKind.Register || !insn.GetOpRegister(i).IsXMM()) continue;
            int r = insn.GetOpRegister(i) - Register.XMM0;
            sb.Append($" xmm{r}={Hex(new ReadOnlySpan<byte>(s.Xmm + r * 16, 16))}");
        }
        if (insn.Mnemonic is Mnemonic.Blendvps or Mnemonic.Blendvpd) sb.Append($" xmm0={Hex(new ReadOnlySpan<byte>(s.Xmm, 16))}");
        if (insn.Op1Kind == OpKind.Memory || insn.Op0Kind == OpKind.Memory)
        {
            ulong ea = insn.MemoryDisplacement64;
            if (insn.MemoryBase != Register.None) ea += s.Gpr[insn.MemoryBase.GetFullRegister() - Register.RAX];
            if (insn.MemoryIndex != Register.None) ea += s.Gpr[insn.MemoryIndex.GetFullRegister() - Register.RAX] * (ulong)insn.MemoryIndexScale;
            long off = (long)(ea - CpuTestLayout.DataBase);
            if (off >= 0 && off + 16 <= c.Data.Length) sb.Append($" m128@{ea:x}={Hex(c.Data.AsSpan((int)off, 16))}");
        }
        return sb.Length == 0 && s.Mxcsr == 0x1f80 ? "" : $"\n  vector: mxcsr={s.Mxcsr:x}{sb}";
    }

    /// <summary>Lanes as 32-bit words, most significant first (the way the CPU manuals draw registers).</summary>
    public static string Hex(ReadOnlySpan<byte> v)
    {
        var sb = new StringBuilder();
        for (int at = v.Length - 4; at >= 0; at -= 4)
        {
            if (sb.Length > 0) sb.Append('_');
            sb.Append(BitConverter.ToUInt32(v[at..]).ToString("x8"));
        }
        return sb.ToString();
    }
}
