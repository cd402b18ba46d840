using Iced.Intel;
using UserEmu.Cpu.X86;

namespace UserEmu.Backend.Native;

/// <summary>Host instructions of a native block in GNU syntax (-d out_asm, as qemu's), its chain entry, body and loop entry marked (one place when the chain entry is the body), then its out-of-line part.</summary>
public static unsafe class NativeDisassembler
{
    public static string Format(NativeCode code)
    {
        ulong ip = (ulong)code.IndirectEntry, chain = (ulong)code.ChainEntry, body = (ulong)code.Body, loop = (ulong)code.LoopEntry;
        var bytes = new ReadOnlySpan<byte>(code.IndirectEntry, code.Length).ToArray();
        ulong cold = (ulong)code.Cold;
        var coldBytes = new ReadOnlySpan<byte>(code.Cold, code.ColdLength).ToArray();
        return GasListing.Format(new ByteArrayCodeReader(bytes), ip, ip + (ulong)bytes.Length,
            at => at == chain ? (at == body ? " <chain> <body>" : " <chain>") : at == body ? " <body>" : at == loop ? " <loop>" : null)
            + GasListing.Format(new ByteArrayCodeReader(coldBytes), cold, cold + (ulong)coldBytes.Length, at => at == cold ? " <cold>" : null);
    }

    /// <summary>A stub made when first reached (<see cref="NativeBlockCompiler.MakeStub"/>): <paramref name="length"/> bytes at <paramref name="stub"/>.</summary>
    public static string Format(byte* stub, int length)
    {
        var bytes = new ReadOnlySpan<byte>(stub, length).ToArray();
        return GasListing.Format(new ByteArrayCodeReader(bytes), (ulong)stub, (ulong)stub + (ulong)length, _ => null);
    }
}
