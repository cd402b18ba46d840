using System.Buffers.Binary;
using static UserEmu.Loader.ElfConstants;

namespace UserEmu.Loader;

/// <summary>One Elf64_Phdr.</summary>
internal readonly record struct ElfProgramHeader(uint Type, uint Flags, ulong Offset, ulong VAddr, ulong FileSize, ulong MemSize, ulong Align);

/// <summary>The validated ELF header and program header table of an x86-64 executable or interpreter.</summary>
internal sealed class ElfHeaders
{
    public required ushort Type { get; init; }
    public required ulong Entry { get; init; }
    public required ulong PhOff { get; init; }
    public required ElfProgramHeader[] Phdrs { get; init; }

    /// <summary>Reads and checks the headers; every defect becomes an <see cref="ExecFormatException"/>.</summary>
    public static ElfHeaders Read(ExecutableFile file)
    {
        Span<byte> buf = stackalloc byte[Ehdr64Size];
        int have = (int)Math.Min(file.Size, (ulong)Ehdr64Size);
        file.ReadExactly(0, buf[..have]);
        var h = CheckIdent(buf[..have]);

        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(h[16..]);
        ulong entry = BinaryPrimitives.ReadUInt64LittleEndian(h[24..]);
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(h[32..]);
        ushort phentsize = BinaryPrimitives.ReadUInt16LittleEndian(h[54..]);
        ushort phnum = BinaryPrimitives.ReadUInt16LittleEndian(h[56..]);

        CheckType(type);
        if (phentsize != Phdr64Size) throw Bad($"bad program header entry size {phentsize} (expected {Phdr64Size})");
        if (phnum == 0) throw Bad("no program headers");
        int tableBytes = phnum * Phdr64Size;
        if (tableBytes > MaxPhdrTableBytes) throw Bad("too many program headers");
        if (phoff > file.Size || (ulong)tableBytes > file.Size - phoff)
            throw Bad("program headers point past the end of the file");

        var table = new byte[tableBytes];
        file.ReadExactly(phoff, table);
        var phdrs = new ElfProgramHeader[phnum];
        for (int i = 0; i < phnum; i++)
        {
            var p = table.AsSpan(i * Phdr64Size, Phdr64Size);
            phdrs[i] = new ElfProgramHeader(
                Type: BinaryPrimitives.ReadUInt32LittleEndian(p),
                Flags: BinaryPrimitives.ReadUInt32LittleEndian(p[4..]),
                Offset: BinaryPrimitives.ReadUInt64LittleEndian(p[8..]),
                VAddr: BinaryPrimitives.ReadUInt64LittleEndian(p[16..]),
                FileSize: BinaryPrimitives.ReadUInt64LittleEndian(p[32..]),
                MemSize: BinaryPrimitives.ReadUInt64LittleEndian(p[40..]),
                Align: BinaryPrimitives.ReadUInt64LittleEndian(p[48..]));
        }
        return new ElfHeaders { Type = type, Entry = entry, PhOff = phoff, Phdrs = phdrs };
    }

    /// <summary>Checks magic, class, byte order and machine; returns the full 64-byte header.</summary>
    static ReadOnlySpan<byte> CheckIdent(ReadOnlySpan<byte> h)
    {
        if (h.Length < 4 || h[0] != 0x7f || h[1] != (byte)'E' || h[2] != (byte)'L' || h[3] != (byte)'F')
            throw Bad("not an ELF executable");
        // e_machine sits at the same offset (18) in both classes: enough to name a foreign file.
        if (h.Length < 20) throw Bad("truncated ELF header");
        byte cls = h[EI_CLASS], data = h[EI_DATA];
        if (cls != ELFCLASS32 && cls != ELFCLASS64) throw Bad($"invalid ELF class {cls}");
        if (data != ELFDATA2LSB && data != ELFDATA2MSB) throw Bad($"invalid ELF byte order {data}");
        ushort machine = data == ELFDATA2LSB
            ? BinaryPrimitives.ReadUInt16LittleEndian(h[18..])
            : BinaryPrimitives.ReadUInt16BigEndian(h[18..]);
        bool is64 = cls == ELFCLASS64;
        if (machine != EM_X86_64 || !is64)
            throw Bad($"ELF for {ElfMachineNames.Describe(machine, is64)}, this build runs x86-64");
        if (data != ELFDATA2LSB) throw Bad("big-endian ELF for x86-64 is not valid");
        if (h.Length < Ehdr64Size) throw Bad("truncated ELF header");
        return h;
    }

    static void CheckType(ushort type)
    {
        switch (type)
        {
            case ET_EXEC:
            case ET_DYN:
                return;
            case ET_REL: throw Bad("relocatable object file, not an executable");
            case ET_CORE: throw Bad("core dump, not an executable");
            default: throw Bad($"ELF type {type} is not executable");
        }
    }

    static ExecFormatException Bad(string message) => new(message);
}
