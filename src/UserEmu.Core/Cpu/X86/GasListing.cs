using System.Text;
using Iced.Intel;

namespace UserEmu.Cpu.X86;

/// <summary>x86-64 code as a GNU-syntax listing, one "0xaddress:  instruction" line each: guest code (-d in_asm) and the native tier's host code (-d out_asm).</summary>
public static class GasListing
{
    /// <param name="mark">Text appended to the line of an instruction at a given address (or null).</param>
    public static string Format(CodeReader reader, ulong ip, ulong end, Func<ulong, string?>? mark = null)
    {
        var decoder = Iced.Intel.Decoder.Create(64, reader, ip);
        var formatter = new GasFormatter();
        var output = new StringOutput();
        var sb = new StringBuilder();
        while (decoder.IP < end)
        {
            decoder.Decode(out var insn);
            if (insn.IsInvalid) break;
            formatter.Format(insn, output);
            sb.Append($"0x{insn.IP:x16}:  {output.ToStringAndReset()}{mark?.Invoke(insn.IP)}\n");
        }
        return sb.ToString();
    }
}
