using System.Text;
using Iced.Intel;

namespace UserEmu.Backend.Native;

/// <summary>Host instructions of a native block in GNU syntax (-d out_asm, as qemu's).</summary>
public static unsafe class NativeDisassembler
{
    public static string Format(NativeCode code)
    {
        var bytes = new ReadOnlySpan<byte>(code.IndirectEntry, code.Length).ToArray();
        ulong ip = (ulong)code.IndirectEntry;
        var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(bytes), ip);
        var formatter = new GasFormatter();
        var output = new StringOutput();
        var sb = new StringBuilder();
        while (decoder.IP < ip + (ulong)bytes.Length)
        {
            decoder.Decode(out var insn);
            string mark = insn.IP == (ulong)code.ChainEntry ? " <chain>" : insn.IP == (ulong)code.Body ? " <body>" : "";
            formatter.Format(insn, output);
            sb.Append($"0x{insn.IP:x16}:  {output.ToStringAndReset()}{mark}\n");
        }
        return sb.ToString();
    }
}
