using System.Buffers.Binary;
using UserEmu.Loader;
using UserEmu.Memory;
using Xunit;
using static UserEmu.Tests.Loader.ElfTestFiles;

namespace UserEmu.Tests.Loader;

/// <summary>Broken, foreign and hostile files: each gives its one-line message, exit code, and leaves nothing mapped.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ElfLoaderErrorTests : IDisposable
{
    readonly ElfTestFiles _files = new();
    readonly GuestAddressSpace _mem = new();

    public void Dispose()
    {
        _mem.Dispose();
        _files.Dispose();
    }

    ExecFormatException Fails(string path, bool isInterpreter = false)
    {
        var e = Assert.Throws<ExecFormatException>(() => ElfLoader.Load(_mem, path, isInterpreter));
        Assert.Empty(_mem.Mappings());
        return e;
    }

    void Expect(byte[] bytes, string message)
    {
        var e = Fails(_files.Write("bad", bytes));
        Assert.Equal(message, e.Message);
        Assert.Equal(126, e.ExitCode);
    }

    static TestPhdr Text(ulong memSize = 0x1000, ulong align = 0x1000) =>
        new(PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1000, memSize, align);

    [Fact]
    public void NotElf() => Expect("#!/bin/sh\necho hi\n"u8.ToArray(), "not an ELF executable");

    [Fact]
    public void EmptyFile() => Expect([], "not an ELF executable");

    [Fact]
    public void TruncatedIdent() => Expect([0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0], "truncated ELF header");

    [Fact]
    public void TruncatedHeader() => Expect(SmallExec()[..40], "truncated ELF header");

    [Theory]
    [InlineData(1, 1, 3, "ELF for i386, this build runs x86-64")]
    [InlineData(2, 1, 183, "ELF for AArch64, this build runs x86-64")]
    [InlineData(1, 1, 40, "ELF for ARM, this build runs x86-64")]
    [InlineData(2, 1, 243, "ELF for RISC-V, this build runs x86-64")]
    [InlineData(1, 1, 243, "ELF for RISC-V (32-bit), this build runs x86-64")]
    [InlineData(2, 2, 22, "ELF for s390x, this build runs x86-64")]
    [InlineData(1, 2, 20, "ELF for PowerPC, this build runs x86-64")]
    [InlineData(2, 1, 21, "ELF for PowerPC64, this build runs x86-64")]
    [InlineData(1, 2, 8, "ELF for MIPS, this build runs x86-64")]
    [InlineData(1, 1, 62, "ELF for x32, this build runs x86-64")]
    [InlineData(2, 1, 258, "ELF for LoongArch, this build runs x86-64")]
    public void ForeignMachine(byte cls, byte data, ushort machine, string message) =>
        Expect(Ident(cls, data, machine), message);

    [Fact]
    public void BadClass() => Expect(Ident(3, 1, 62), "invalid ELF class 3");

    [Fact]
    public void Relocatable() => Expect(Build(1, 0, [Text()]), "relocatable object file, not an executable");

    [Fact]
    public void CoreDump() => Expect(Build(4, 0, [Text()]), "core dump, not an executable");

    [Fact]
    public void BadPhentsize()
    {
        var b = Build(2, 0x400000, [Text()]);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(54), 32);
        Expect(b, "bad program header entry size 32 (expected 56)");
    }

    [Fact]
    public void NoProgramHeaders() => Expect(Build(2, 0x400000, []), "no program headers");

    [Fact]
    public void PhdrsPastEof()
    {
        var b = Build(2, 0x400000, [Text()]);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(32), (ulong)b.Length - 20);
        Expect(b, "program headers point past the end of the file");
    }

    [Fact]
    public void PhdrOffsetOverflows()
    {
        var b = Build(2, 0x400000, [Text()]);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(32), ulong.MaxValue - 8);
        Expect(b, "program headers point past the end of the file");
    }

    [Fact]
    public void PAlignNotPowerOfTwo() => Expect(Build(2, 0x400000, [Text(align: 0x3000)]), "p_align is not a power of two");

    [Fact]
    public void HugeMemSize() => Expect(Build(2, 0x400000, [Text(memSize: 0x7fff_ffff_f000)]), "segment is too large");

    [Fact]
    public void HugeMemSizeInDynamicImage() => Expect(Build(3, 0, [new TestPhdr(PT_LOAD, PF_R, 0, 0, 0x1000, ulong.MaxValue - 0x10)]), "segment is too large");

    [Fact]
    public void SegmentPastEof() =>
        Expect(Build(2, 0x400000, [new TestPhdr(PT_LOAD, PF_R, 0x2000, 0x402000, 0x5000, 0x5000)]), "segment points past the end of the file");

    [Fact]
    public void FileSizeAboveMemSize() =>
        Expect(Build(2, 0x400000, [new TestPhdr(PT_LOAD, PF_R, 0, 0x400000, 0x2000, 0x1000)]), "segment file size is larger than its memory size");

    [Fact]
    public void Misaligned() =>
        Expect(Build(2, 0x400000, [new TestPhdr(PT_LOAD, PF_R, 0x100, 0x400000, 0x100, 0x100)]), "segment file offset and address differ modulo the page size");

    [Fact]
    public void NoLoadableSegments() =>
        Expect(Build(2, 0x400000, [new TestPhdr(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0)]), "no loadable segments");

    [Fact]
    public void SegmentAtPageZero() =>
        Expect(Build(2, 0x100, [new TestPhdr(PT_LOAD, PF_R, 0, 0, 0x1000, 0x1000)]), "segment at 0x0 is below the lowest mappable address");

    [Fact]
    public void SegmentAboveGuestSpace() =>
        Expect(Build(2, 0x100, [new TestPhdr(PT_LOAD, PF_R, 0, 0xffff_8000_0000_0000, 0x1000, 0x1000)]), "segment at 0xffff800000000000 is outside the guest address space");

    [Fact]
    public void EntryOutsideSpace() =>
        Expect(Build(2, 0xffff_ffff_ffff_0000, [Text()]), "entry point is outside the guest address space");

    [Fact]
    public void InterpWithoutNul()
    {
        var b = Build(3, 0, [Text() with { VAddr = 0 }, new TestPhdr(PT_INTERP, PF_R, 0x200, 0x200, 8, 8, 1)]);
        Expect(b, "invalid interpreter path (PT_INTERP)");
    }

    [Fact]
    public void InterpPathIsReturned()
    {
        var b = Build(3, 0, [Text() with { VAddr = 0 }, new TestPhdr(PT_INTERP, PF_R, 0x200, 0x200, 9, 9, 1)]);
        "/lib/ld\0\0"u8.CopyTo(b.AsSpan(0x200));
        Assert.Equal("/lib/ld", ElfLoader.Load(_mem, _files.Write("dyn", b)).Interpreter);
    }

    [Fact]
    public void SegmentsOverlapExistingMapping()
    {
        Assert.True(_mem.Map(new MapRequest(0x400000, 0x1000, PageFlags.Read, false, false, true)) >= 0);
        var e = Assert.Throws<ExecFormatException>(() => ElfLoader.Load(_mem, _files.Write("clash", SmallExec())));
        Assert.Equal("segments overlap an existing mapping", e.Message);
        Assert.Single(_mem.Mappings());
    }

    [Fact]
    public void MissingFile()
    {
        var e = Fails(Path.Combine(_files.Dir, "nope"));
        Assert.Equal("no such file or directory", e.Message);
        Assert.Equal(127, e.ExitCode);
        Assert.Equal(LinuxErrno.ENOENT, e.Errno);
    }

    [Fact]
    public void EmptyPathIsNotFound() => Assert.Equal(127, Fails("").ExitCode);

    [Fact]
    public void Directory()
    {
        var e = Fails(_files.Dir);
        Assert.Equal("is a directory", e.Message);
        Assert.Equal(126, e.ExitCode);
    }

    [Fact]
    public void NotADirectory()
    {
        string file = _files.Write("plain", SmallExec());
        Assert.Equal("not a directory", Fails(Path.Combine(file, "x")).Message);
    }

    [Fact]
    public void NotExecutable()
    {
        string path = _files.Write("noexec", SmallExec(), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var e = Fails(path);
        Assert.Equal("permission denied", e.Message);
        Assert.Equal(126, e.ExitCode);
        Assert.Equal(LinuxErrno.EACCES, e.Errno);
    }

    [Fact]
    public void DeviceIsPermissionDenied() => Assert.Equal("permission denied", Fails("/dev/null").Message);

    /// <summary>Random corruption of a valid image must only ever produce ExecFormatException (or a successful load).</summary>
    [Fact]
    public void MutatedHeadersNeverEscapeAsRawExceptions()
    {
        var rng = new Random(12345);
        var good = SmallExec();
        string path = Path.Combine(_files.Dir, "fuzz");
        for (int iter = 0; iter < 400; iter++)
        {
            var b = (byte[])good.Clone();
            int flips = rng.Next(1, 6);
            for (int i = 0; i < flips; i++)
            {
                int at = rng.Next(16, 64 + 3 * 56);
                b[at] = rng.Next(3) == 0 ? (byte)0xff : (byte)rng.Next(256);
            }
            if (rng.Next(8) == 0) b = b[..rng.Next(b.Length)];
            File.WriteAllBytes(path, b);
            File.SetUnixFileMode(path, (UnixFileMode)0x1ED);
            try
            {
                ElfLoader.Load(_mem, path);
            }
            catch (ExecFormatException e)
            {
                Assert.DoesNotContain('\n', e.Message);
            }
            foreach (var m in _mem.Mappings()) _mem.Unmap(m.Start, m.Length);
        }
    }
}
