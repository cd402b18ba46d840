using UserEmu.Loader;
using UserEmu.Memory;
using Xunit;
using static UserEmu.Loader.AuxvType;
using static UserEmu.Tests.Loader.ElfTestFiles;

namespace UserEmu.Tests.Loader;

/// <summary>Dynamically linked programs start in their interpreter, found with the -L rule, and tell it where the program is.</summary>
public sealed class ProgramImageTests : IDisposable
{
    const string HostInterp = "/lib64/ld-linux-x86-64.so.2";
    readonly GuestAddressSpace _mem = new();
    readonly ElfTestFiles _files = new();

    public void Dispose()
    {
        _mem.Dispose();
        _files.Dispose();
    }

    string DynamicProgram() =>
        _files.Compile("dyn", "int main(void) { return 0; }", "-O1") ?? throw new InvalidOperationException("gcc cannot build a dynamic program");

    [Fact]
    public void DynamicProgramStartsInInterpreter()
    {
        var img = ProgramImage.Load(_mem, DynamicProgram(), "/");
        Assert.Equal(HostInterp, img.Program.Interpreter);
        var interp = Assert.IsType<LoadedImage>(img.Interpreter);
        Assert.EndsWith("/ld-linux-x86-64.so.2", interp.Path);
        Assert.Equal(interp.Entry, img.Entry);
        Assert.NotEqual(img.Program.Entry, img.Entry);
        Assert.Equal(interp.LoadBias, img.InterpreterBase);
        Assert.NotEqual(0UL, img.InterpreterBase);
        // The interpreter's pages are mapped under its own name, apart from the program's.
        Assert.Contains(_mem.Mappings(), m => m.Name == interp.Path && m.Start == interp.StartAddress);
        Assert.True(interp.EndAddress <= img.Program.StartAddress || interp.StartAddress >= img.Program.EndAddress);
    }

    [Fact]
    public void AuxvNamesInterpreterBaseAndProgramEntry()
    {
        var img = ProgramImage.Load(_mem, DynamicProgram(), "/");
        var st = InitialStack.Build(_mem, new StackInputs
        {
            Argv = ["dyn"], Envp = [], ExecFn = "dyn", Program = img.Program, InterpreterBase = img.InterpreterBase,
        });
        var aux = new Dictionary<ulong, ulong>();
        for (int i = 0; i + 1 < st.Auxv.Length; i += 2) aux[st.Auxv[i]] = st.Auxv[i + 1];
        Assert.Equal(img.Interpreter!.LoadBias, aux[AT_BASE]);
        Assert.Equal(img.Program.Entry, aux[AT_ENTRY]);
        Assert.Equal(img.Program.PhdrAddress, aux[AT_PHDR]);
    }

    [Fact]
    public void StaticProgramHasNoInterpreter()
    {
        var img = ProgramImage.Load(_mem, _files.Write("static", SmallExec()), "/");
        Assert.Null(img.Interpreter);
        Assert.Equal(0x400080UL, img.Entry);
        Assert.Equal(0UL, img.InterpreterBase);
    }

    [Fact]
    public void InterpreterIsTakenFromSysRootFirst()
    {
        string root = Path.Combine(_files.Dir, "root");
        Directory.CreateDirectory(Path.Combine(root, "lib64"));
        string copy = Path.Combine(root, "lib64", "ld-linux-x86-64.so.2");
        File.Copy(HostInterp, copy);
        var img = ProgramImage.Load(_mem, DynamicProgram(), root);
        Assert.Equal(copy, img.Interpreter!.Path);
    }

    [Fact]
    public void InterpreterFallsBackToHostPath()
    {
        string root = Path.Combine(_files.Dir, "emptyroot");
        Directory.CreateDirectory(root);
        var img = ProgramImage.Load(_mem, DynamicProgram(), root);
        Assert.StartsWith("/", img.Interpreter!.Path);
        Assert.DoesNotContain(root, img.Interpreter.Path);
    }

    [Fact]
    public void MissingInterpreterIsEnoent()
    {
        var b = Build(3, 0, [new TestPhdr(PT_LOAD, PF_R | PF_X, 0, 0, 0x1000, 0x1000), new TestPhdr(PT_INTERP, PF_R, 0x200, 0x200, 14, 14, 1)]);
        "/nonexistent!\0"u8.CopyTo(b.AsSpan(0x200));
        var e = Assert.Throws<ExecFormatException>(() => ProgramImage.Load(_mem, _files.Write("dyn", b), "/"));
        Assert.Equal(LinuxErrno.ENOENT, e.Errno);
        Assert.Equal(ExecFormatException.ExitNotFound, e.ExitCode);
    }
}
