using ELFSharp.ELF;
using ELFSharp.ELF.Segments;
using UserEmu.Loader;
using UserEmu.Memory;
using Xunit;

namespace UserEmu.Tests.Loader;

/// <summary>Loading real and hand-made x86-64 ELF files: placement, permissions, file contents, bss and brk.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ElfLoaderTests : IDisposable
{
    const string Busybox = "/usr/bin/busybox";
    readonly ElfTestFiles _files = new();
    readonly GuestAddressSpace _mem = new();

    public void Dispose()
    {
        _mem.Dispose();
        _files.Dispose();
    }

    static GuestMapping Single(GuestAddressSpace mem, ulong addr) =>
        mem.FindMapping(addr) ?? throw new Xunit.Sdk.XunitException($"nothing mapped at 0x{addr:x}");

    [Fact]
    public void SmallExec_MapsSegmentsHoleBssAndBrk()
    {
        string path = _files.Write("small", ElfTestFiles.SmallExec());
        var img = ElfLoader.Load(_mem, path);

        Assert.False(img.IsDynamic);
        Assert.Equal(0UL, img.LoadBias);
        Assert.Equal(0x400080UL, img.Entry);
        Assert.Equal(0x400040UL, img.PhdrAddress);
        Assert.Equal(56, img.PhEntSize);
        Assert.Equal(3, img.PhCount);
        Assert.Equal(0x407000UL, img.BrkStart);
        Assert.Equal(0x407000UL, _mem.BrkStart);
        Assert.False(img.ExecStack);
        Assert.Null(img.Interpreter);
        Assert.Equal(path, img.Path);

        var maps = _mem.Mappings();
        Assert.Equal(3, maps.Length);
        Assert.Equal((0x400000UL, 0x402000UL, PageFlags.Read | PageFlags.Exec, path, 0UL), (maps[0].Start, maps[0].End, maps[0].Prot, maps[0].Name, maps[0].FileOffset));
        Assert.Equal((0x404000UL, 0x405000UL, PageFlags.Read | PageFlags.Write, path, 0x2000UL), (maps[1].Start, maps[1].End, maps[1].Prot, maps[1].Name, maps[1].FileOffset));
        Assert.Equal((0x405000UL, 0x407000UL, PageFlags.Read | PageFlags.Write, (string?)null), (maps[2].Start, maps[2].End, maps[2].Prot, maps[2].Name));
        Assert.NotEqual(0UL, maps[0].Inode);
        Assert.Equal(img.Inode, maps[1].Inode);
        Assert.Equal(img.Device, maps[1].Device);

        // The hole between the segments stays unmapped.
        Assert.Null(_mem.FindMapping(0x402000));
        Assert.Null(_mem.FindMapping(0x403fff));

        // File bytes: ELF header, text including the tail of its last page, and the head of the data page.
        var file = File.ReadAllBytes(path);
        Assert.Equal(file.AsSpan(0, 0x2000).ToArray(), _mem.ReadSpan(0x400000, 0x2000).ToArray());
        Assert.Equal(file.AsSpan(0x2000, 0x200).ToArray(), _mem.ReadSpan(0x404000, 0x200).ToArray());
        // bss: zero in the rest of the file page and in the extra anonymous pages.
        Assert.All(_mem.ReadSpan(0x404200, 0x2e00).ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void SmallExec_GnuStackExecutableIsRecorded()
    {
        var bytes = ElfTestFiles.Build(2, 0x400000,
        [
            new TestPhdr(ElfTestFiles.PT_LOAD, ElfTestFiles.PF_R | ElfTestFiles.PF_X, 0, 0x400000, 0x1000, 0x1000),
            new TestPhdr(ElfTestFiles.PT_GNU_STACK, ElfTestFiles.PF_R | ElfTestFiles.PF_W | ElfTestFiles.PF_X, 0, 0, 0, 0, 16),
            new TestPhdr(ElfTestFiles.PT_TLS, ElfTestFiles.PF_R, 0x800, 0x400800, 0x10, 0x40, 64),
        ]);
        var img = ElfLoader.Load(_mem, _files.Write("xstack", bytes));
        Assert.True(img.ExecStack);
        Assert.Equal(new TlsSegment(0x400800, 0x10, 0x40, 64), img.Tls);
    }

    [Fact]
    public void OverlappingSegmentsShareAPageAndTheLaterOneWins()
    {
        // Old-style layout: data starts in the same page the text ends in.
        var bytes = ElfTestFiles.Build(2, 0x400000,
        [
            new TestPhdr(ElfTestFiles.PT_LOAD, ElfTestFiles.PF_R | ElfTestFiles.PF_X, 0, 0x400000, 0x1800, 0x1800),
            new TestPhdr(ElfTestFiles.PT_LOAD, ElfTestFiles.PF_R | ElfTestFiles.PF_W, 0x1800, 0x401800, 0x100, 0x1000),
        ]);
        var img = ElfLoader.Load(_mem, _files.Write("overlap", bytes));
        Assert.Equal(PageFlags.Read | PageFlags.Exec, Single(_mem, 0x400000).Prot);
        Assert.Equal(PageFlags.Read | PageFlags.Write, Single(_mem, 0x401000).Prot);
        Assert.Equal(bytes.AsSpan(0x1000, 0x900).ToArray(), _mem.ReadSpan(0x401000, 0x900).ToArray());
        Assert.All(_mem.ReadSpan(0x401900, 0x700).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(0x403000UL, img.BrkStart);
    }

    [Fact]
    public void Busybox_LoadsAtLinkedAddresses()
    {
        if (!File.Exists(Busybox)) return; // not installed on this host: nothing to check
        var elf = ELFReader.Load<ulong>(Busybox);
        var loads = elf.Segments.Where(s => s.Type == SegmentType.Load).ToArray();
        bool isExec = elf.Type == FileType.Executable;
        ulong entry = elf.EntryPoint;
        elf.Dispose();

        var img = ElfLoader.Load(_mem, Busybox);
        ulong bias = isExec ? 0 : _mem.DynExecBase;
        Assert.Equal(bias, img.LoadBias);
        Assert.Equal(entry + bias, img.Entry);
        Assert.Null(img.Interpreter);

        var file = File.ReadAllBytes(Busybox);
        ulong highest = 0;
        foreach (var s in loads)
        {
            ulong va = s.Address + bias;
            var m = Single(_mem, va);
            var want = (s.Flags.HasFlag(SegmentFlags.Read) ? PageFlags.Read : 0)
                     | (s.Flags.HasFlag(SegmentFlags.Write) ? PageFlags.Write : 0)
                     | (s.Flags.HasFlag(SegmentFlags.Execute) ? PageFlags.Exec : 0);
            Assert.Equal(want, m.Prot);
            Assert.Equal(img.Path, m.Name);
            int n = (int)Math.Min((ulong)s.FileSize, 4096);
            Assert.Equal(file.AsSpan((int)s.Offset, n).ToArray(), _mem.ReadSpan(va, n).ToArray());
            if ((ulong)s.Size > (ulong)s.FileSize)
                Assert.All(_mem.ReadSpan(va + (ulong)s.FileSize, (int)((ulong)s.Size - (ulong)s.FileSize)).ToArray(), b => Assert.Equal(0, b));
            highest = Math.Max(highest, va + (ulong)s.Size);
        }
        Assert.Equal(GuestAddressSpace.PageAlignUp(highest), img.BrkStart);
        Assert.Equal(img.BrkStart, _mem.BrkStart);
        // AT_PHDR must point at the real table.
        Assert.Equal(file.AsSpan(64, 56 * img.PhCount).ToArray(), _mem.ReadSpan(img.PhdrAddress, 56 * img.PhCount).ToArray());
    }

    const string CSource = "static int counter[4096]; int main(void) { return counter[7]; }\n";

    [Fact]
    public void StaticPie_LoadsAtDynExecBase()
    {
        string? exe = _files.Compile("spie", CSource, "-static-pie -O1");
        if (exe == null) return; // no gcc or no static libc here
        var elf = ELFReader.Load<ulong>(exe);
        Assert.Equal(FileType.SharedObject, elf.Type);
        ulong entry = elf.EntryPoint;
        var firstLoad = elf.Segments.First(s => s.Type == SegmentType.Load);
        bool hasInterp = elf.Segments.Any(s => s.Type == SegmentType.Interpreter);
        elf.Dispose();
        Assert.False(hasInterp);

        var img = ElfLoader.Load(_mem, exe);
        Assert.True(img.IsDynamic);
        Assert.Equal(_mem.DynExecBase - (firstLoad.Address & ~0xfffUL), img.LoadBias);
        Assert.Equal(entry + img.LoadBias, img.Entry);
        Assert.Equal(img.LoadBias + firstLoad.Address + 64, img.PhdrAddress);
        Assert.Null(img.Interpreter);
        Assert.Equal(exe, Single(_mem, _mem.DynExecBase).Name);
        Assert.Equal(PageFlags.Read | PageFlags.Exec, Single(_mem, img.Entry).Prot);
        Assert.Equal(img.BrkStart, _mem.BrkStart);
        Assert.True(img.BrkStart > _mem.DynExecBase && img.BrkStart == img.EndAddress);
        Assert.NotNull(img.Tls);
    }

    [Fact]
    public void ExecStackFlagFromGcc()
    {
        string? exe = _files.Compile("xs", CSource, "-static-pie -O1 -z execstack");
        if (exe == null) return;
        Assert.True(ElfLoader.Load(_mem, exe).ExecStack);
    }

    [Fact]
    public void DynamicPie_ReportsInterpreter_AndInterpreterLoadsTopDown()
    {
        string? exe = _files.Compile("dpie", CSource, "-pie -fPIE -O1");
        if (exe == null) return;
        var img = ElfLoader.Load(_mem, exe);
        Assert.NotNull(img.Interpreter);
        Assert.StartsWith("/", img.Interpreter);
        if (!File.Exists(img.Interpreter)) return;

        ulong brk = _mem.BrkStart;
        var ld = ElfLoader.Load(_mem, img.Interpreter!, isInterpreter: true);
        Assert.True(ld.IsDynamic);
        Assert.Null(ld.Interpreter);
        Assert.Equal(0UL, ld.LoadBias & 0xfff);
        Assert.True(ld.EndAddress <= _mem.MmapBase, "interpreter is placed in the mmap area");
        Assert.True(ld.StartAddress >= img.EndAddress || ld.EndAddress <= img.StartAddress);
        Assert.Equal(PageFlags.Read | PageFlags.Exec, Single(_mem, ld.Entry).Prot);
        Assert.Equal(ld.Path, Single(_mem, ld.LoadBias).Name);
        Assert.Equal(brk, _mem.BrkStart); // the interpreter never moves the program break
    }

    [Fact]
    public void InterpreterIsPlacedTopDownBelowMmapBase()
    {
        var bytes = ElfTestFiles.Build(3, 0x100,
        [
            new TestPhdr(ElfTestFiles.PT_LOAD, ElfTestFiles.PF_R | ElfTestFiles.PF_X, 0, 0, 0x1000, 0x1000),
            new TestPhdr(ElfTestFiles.PT_LOAD, ElfTestFiles.PF_R | ElfTestFiles.PF_W, 0x2000, 0x3000, 0x100, 0x2000),
        ]);
        // Interpreters need not be executable files themselves.
        string path = _files.Write("ld.so", bytes, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var ld = ElfLoader.Load(_mem, path, isInterpreter: true);
        Assert.Equal(_mem.MmapBase - 0x5000, ld.LoadBias);
        Assert.Equal(ld.LoadBias + 0x100, ld.Entry);
        // Text, data file page, anonymous bss page; the hole between text and data is unmapped.
        Assert.Equal(3, _mem.Mappings().Length);
        Assert.Null(_mem.FindMapping(ld.LoadBias + 0x1000));
        Assert.Equal(0UL, _mem.BrkStart);
    }

    [Fact]
    public void InterpreterHonoursLargePAlign()
    {
        var bytes = ElfTestFiles.Build(3, 0x100,
            [new TestPhdr(ElfTestFiles.PT_LOAD, ElfTestFiles.PF_R | ElfTestFiles.PF_X, 0, 0, 0x1000, 0x1000, 0x200000)]);
        var ld = ElfLoader.Load(_mem, _files.Write("ld2.so", bytes), isInterpreter: true);
        Assert.Equal(0UL, ld.LoadBias % 0x200000);
        Assert.Single(_mem.Mappings());
    }
}
