using UserEmu.Loader;
using UserEmu.Memory;
using Xunit;
using static UserEmu.Loader.AuxvType;

namespace UserEmu.Tests.Loader;

/// <summary>The initial stack parses back exactly as a Linux x86-64 process would see it.</summary>
public sealed class InitialStackTests : IDisposable
{
    readonly GuestAddressSpace _mem = new();
    public void Dispose() => _mem.Dispose();

    static LoadedImage FakeProgram() => new()
    {
        Path = "/bin/prog", Entry = 0x401234, LoadBias = 0, PhdrAddress = 0x400040, PhEntSize = 56, PhCount = 9,
        BrkStart = 0x500000, ExecStack = false, Interpreter = null, IsDynamic = false,
        StartAddress = 0x400000, EndAddress = 0x500000, Tls = null, Device = 0, Inode = 0,
    };

    static StackInputs Inputs(string[] argv, string[] envp, bool execStack = false) => new()
    {
        Argv = argv, Envp = envp, ExecFn = "./prog", Program = FakeProgram(), InterpreterBase = 0x7f0000000000,
        HwCap = 0x178bfbff, HwCap2 = 2, ExecStack = execStack,
    };

    /// <summary>Reads argc, argv, envp and auxv back from the guest stack.</summary>
    (string[] Argv, string[] Envp, Dictionary<ulong, ulong> Aux, ulong[] AuxRaw) Parse(ulong sp)
    {
        ulong p = sp;
        ulong argc = _mem.Read64(p); p += 8;
        var argv = new List<string>();
        for (ulong i = 0; i < argc; i++, p += 8) argv.Add(_mem.ReadCString(_mem.Read64(p)));
        Assert.Equal(0UL, _mem.Read64(p)); p += 8;
        var envp = new List<string>();
        for (ulong a; (a = _mem.Read64(p)) != 0; p += 8) envp.Add(_mem.ReadCString(a));
        p += 8;
        var aux = new Dictionary<ulong, ulong>();
        var raw = new List<ulong>();
        while (true)
        {
            ulong type = _mem.Read64(p), val = _mem.Read64(p + 8);
            p += 16;
            raw.Add(type); raw.Add(val);
            if (type == AT_NULL) break;
            Assert.True(aux.TryAdd(type, val), $"duplicate {AuxvType.Name(type)}");
        }
        return (argv.ToArray(), envp.ToArray(), aux, raw.ToArray());
    }

    [Fact]
    public void LayoutParsesBack()
    {
        string[] argv = ["prog", "héllo wörld", ""], envp = ["A=1", "PATH=/usr/bin:/bin", "EMPTY="];
        var st = InitialStack.Build(_mem, Inputs(argv, envp));

        Assert.Equal(0UL, st.StackPointer % 16);
        var (gotArgv, gotEnvp, aux, raw) = Parse(st.StackPointer);
        Assert.Equal(argv, gotArgv);
        Assert.Equal(envp, gotEnvp);
        Assert.Equal(st.Auxv, raw);

        Assert.Equal(4096UL, aux[AT_PAGESZ]);
        Assert.Equal(100UL, aux[AT_CLKTCK]);
        Assert.Equal(0x400040UL, aux[AT_PHDR]);
        Assert.Equal(56UL, aux[AT_PHENT]);
        Assert.Equal(9UL, aux[AT_PHNUM]);
        Assert.Equal(0x7f0000000000UL, aux[AT_BASE]);
        Assert.Equal(0UL, aux[AT_FLAGS]);
        Assert.Equal(0x401234UL, aux[AT_ENTRY]);
        Assert.Equal(HostIds.Uid, aux[AT_UID]);
        Assert.Equal(HostIds.Euid, aux[AT_EUID]);
        Assert.Equal(HostIds.Gid, aux[AT_GID]);
        Assert.Equal(HostIds.Egid, aux[AT_EGID]);
        Assert.Equal(0UL, aux[AT_SECURE]);
        Assert.Equal(0x178bfbffUL, aux[AT_HWCAP]);
        Assert.Equal(2UL, aux[AT_HWCAP2]);
        Assert.Equal(2048UL, aux[AT_MINSIGSTKSZ]);
        Assert.False(aux.ContainsKey(AT_SYSINFO_EHDR));
        Assert.Equal("x86_64", _mem.ReadCString(aux[AT_PLATFORM]));
        Assert.Equal("./prog", _mem.ReadCString(aux[AT_EXECFN]));
        Assert.Equal(st.ExecFnAddress, aux[AT_EXECFN]);

        // Kernel order: ARCH_DLINFO (AT_MINSIGSTKSZ) first, AT_NULL last.
        Assert.Equal(AT_MINSIGSTKSZ, raw[0]);
        Assert.Equal(AT_HWCAP, raw[2]);
        Assert.Equal(AT_PLATFORM, raw[^4]);

        // AT_RANDOM: 16 readable bytes inside the stack mapping, not all zero.
        ulong rnd = aux[AT_RANDOM];
        Assert.Equal(st.RandomAddress, rnd);
        Assert.True(rnd >= st.StackLow && rnd + 16 <= st.StackHigh);
        Assert.Contains(_mem.ReadSpan(rnd, 16).ToArray(), b => b != 0);
    }

    [Fact]
    public void StringsSitAtTheTopInKernelOrder()
    {
        var st = InitialStack.Build(_mem, Inputs(["a", "bc"], ["X=1"]));
        // NULL word, execfn, envp strings, argv strings, from the top down.
        Assert.Equal(_mem.StackTop, st.StackHigh);
        Assert.Equal(0UL, _mem.Read64(_mem.StackTop - 8));
        Assert.Equal(_mem.StackTop - 8 - 7, st.ExecFnAddress);
        Assert.Equal(st.ExecFnAddress, st.EnvEnd);
        Assert.Equal(st.EnvEnd - 4, st.EnvStart);
        Assert.Equal(st.EnvStart, st.ArgEnd);
        Assert.Equal(st.ArgEnd - 5, st.ArgStart);
        Assert.Equal("a\0bc\0X=1\0./prog\0"u8.ToArray(), _mem.ReadSpan(st.ArgStart, 16).ToArray());
        // Platform string and random bytes come right below the 16-aligned end of the strings.
        ulong aligned = st.ArgStart & ~15UL;
        Assert.Equal(aligned - 7 - 16, st.RandomAddress);
        Assert.True(st.StackPointer < st.RandomAddress);
        // The auxv ends within 16 bytes of the random bytes (only STACK_ROUND padding between).
        ulong auxEnd = st.StackPointer + 8 * (1 + 2 + 1 + 1 + 1) + (ulong)st.Auxv.Length * 8;
        Assert.True(auxEnd <= st.RandomAddress && st.RandomAddress - auxEnd < 16);
    }

    [Fact]
    public void StackMapping()
    {
        var st = InitialStack.Build(_mem, Inputs(["p"], []));
        var m = _mem.FindMapping(st.StackPointer)!;
        Assert.Equal("[stack]", m.Name);
        Assert.Equal(PageFlags.Read | PageFlags.Write, m.Prot);
        Assert.Equal(_mem.StackTop, m.End);
        Assert.Equal(InitialStack.StackSize, m.Length);
        Assert.True(m.Start > _mem.MmapBase, "a gap separates the stack from the mmap area");
    }

    [Fact]
    public void ExecutableStack()
    {
        var st = InitialStack.Build(_mem, Inputs(["p"], [], execStack: true));
        Assert.Equal(PageFlags.Read | PageFlags.Write | PageFlags.Exec, _mem.FindMapping(st.StackPointer)!.Prot);
    }

    [Fact]
    public void EmptyArgvBecomesOneEmptyString()
    {
        var st = InitialStack.Build(_mem, Inputs([], ["A=b"]));
        var (argv, envp, _, _) = Parse(st.StackPointer);
        Assert.Equal([""], argv);
        Assert.Equal(["A=b"], envp);
    }

    [Fact]
    public void AlignmentHoldsForEveryArgumentCount()
    {
        for (int n = 1; n <= 6; n++)
        {
            using var mem = new GuestAddressSpace();
            var argv = Enumerable.Range(0, n).Select(i => new string('x', i * 3 + 1)).ToArray();
            var st = InitialStack.Build(mem, Inputs(argv, n % 2 == 0 ? ["E=1"] : []));
            Assert.Equal(0UL, st.StackPointer % 16);
            Assert.Equal((ulong)n, mem.Read64(st.StackPointer));
        }
    }

    [Fact]
    public void ArgumentListTooLong()
    {
        var env = Enumerable.Range(0, 40).Select(i => "V" + i + "=" + new string('y', 64 * 1024)).ToArray();
        var e = Assert.Throws<ExecFormatException>(() => InitialStack.Build(_mem, Inputs(["p"], env)));
        Assert.Equal("argument list too long", e.Message);
        Assert.Equal(LinuxErrno.E2BIG, e.Errno);
        Assert.Empty(_mem.Mappings());
    }

    [Fact]
    public void SingleStringTooLong()
    {
        var e = Assert.Throws<ExecFormatException>(() => InitialStack.Build(_mem, Inputs(["p", new string('z', 200_000)], [])));
        Assert.Equal("argument list too long", e.Message);
    }
}
