using System.Buffers.Binary;
using System.Diagnostics;

namespace UserEmu.Tests.Loader;

/// <summary>One program header for <see cref="ElfTestFiles.Build"/>.</summary>
public readonly record struct TestPhdr(uint Type, uint Flags, ulong Offset, ulong VAddr, ulong FileSize, ulong MemSize, ulong Align = 0x1000);

/// <summary>Hand-made ELF images and a scratch directory for loader tests.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ElfTestFiles : IDisposable
{
    public const uint PT_LOAD = 1, PT_INTERP = 3, PT_PHDR = 6, PT_TLS = 7, PT_GNU_STACK = 0x6474e551;
    public const uint PF_X = 1, PF_W = 2, PF_R = 4;

    public string Dir { get; } = Directory.CreateTempSubdirectory("useremu-loader-").FullName;

    /// <summary>Writes bytes as an executable (mode 0755 unless told otherwise) and returns its path.</summary>
    public string Write(string name, byte[] bytes, UnixFileMode mode = (UnixFileMode)0x1ED)
    {
        string path = Path.Combine(Dir, name);
        File.WriteAllBytes(path, bytes);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    /// <summary>A 64-byte ELF identification + header prefix for any class, byte order and machine.</summary>
    public static byte[] Ident(byte cls, byte data, ushort machine, ushort type = 2, int length = 64)
    {
        var b = new byte[length];
        b[0] = 0x7f; b[1] = (byte)'E'; b[2] = (byte)'L'; b[3] = (byte)'F';
        b[4] = cls; b[5] = data; b[6] = 1;
        if (data == 2)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(16), type);
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(18), machine);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(16), type);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(18), machine);
        }
        return b;
    }

    /// <summary>
    /// An x86-64 ELF with the program header table at offset 64, <paramref name="fileSize"/> bytes long,
    /// where every byte past the headers holds (offset &amp; 0xff) | 1 so copies can be checked.
    /// </summary>
    public static byte[] Build(ushort type, ulong entry, TestPhdr[] phdrs, int fileSize = 0x3000)
    {
        var b = new byte[fileSize];
        for (int i = 0; i < b.Length; i++) b[i] = (byte)(i | 1);
        Ident(2, 1, 62, type).CopyTo(b, 0);
        var h = b.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(h[24..], entry);
        BinaryPrimitives.WriteUInt64LittleEndian(h[32..], 64);
        BinaryPrimitives.WriteUInt64LittleEndian(h[40..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(h[48..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(h[52..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(h[54..], 56);
        BinaryPrimitives.WriteUInt16LittleEndian(h[56..], (ushort)phdrs.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(h[58..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(h[60..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(h[62..], 0);
        for (int i = 0; i < phdrs.Length; i++)
        {
            var p = h.Slice(64 + i * 56, 56);
            var x = phdrs[i];
            BinaryPrimitives.WriteUInt32LittleEndian(p, x.Type);
            BinaryPrimitives.WriteUInt32LittleEndian(p[4..], x.Flags);
            BinaryPrimitives.WriteUInt64LittleEndian(p[8..], x.Offset);
            BinaryPrimitives.WriteUInt64LittleEndian(p[16..], x.VAddr);
            BinaryPrimitives.WriteUInt64LittleEndian(p[24..], x.VAddr);
            BinaryPrimitives.WriteUInt64LittleEndian(p[32..], x.FileSize);
            BinaryPrimitives.WriteUInt64LittleEndian(p[40..], x.MemSize);
            BinaryPrimitives.WriteUInt64LittleEndian(p[48..], x.Align);
        }
        return b;
    }

    /// <summary>
    /// A small static ET_EXEC: headers+text R-X at 0x400000 (two pages), an unmapped hole, then data RW at 0x404100
    /// with 0x100 file bytes and bss running two pages further.
    /// </summary>
    public static byte[] SmallExec() => Build(2, 0x400080,
    [
        new TestPhdr(PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1800, 0x1800),
        new TestPhdr(PT_LOAD, PF_R | PF_W, 0x2100, 0x404100, 0x100, 0x2100),
        new TestPhdr(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16),
    ]);

    /// <summary>Compiles C source with gcc and the given flags; null when gcc is missing or cannot build it.</summary>
    public string? Compile(string name, string source, string flags)
    {
        string src = Path.Combine(Dir, name + ".c"), exe = Path.Combine(Dir, name);
        File.WriteAllText(src, source);
        try
        {
            var psi = new ProcessStartInfo("gcc", $"{flags} -o \"{exe}\" \"{src}\"")
            {
                RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
            };
            using var proc = Process.Start(psi)!;
            proc.StandardError.ReadToEnd();
            proc.StandardOutput.ReadToEnd();
            proc.WaitForExit();
            return proc.ExitCode == 0 && File.Exists(exe) ? exe : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
    }
}
