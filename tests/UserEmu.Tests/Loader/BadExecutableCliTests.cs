using System.Buffers.Binary;
using System.Text;
using UserEmu.Tests.TestSupport;
using Xunit;
using static UserEmu.Tests.Loader.ElfTestFiles;

namespace UserEmu.Tests.Loader;

/// <summary>Each bad-input class through the built <c>useremu</c> command: exactly one stderr line and the shell's exit status, never a stack trace.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BadExecutableCliTests : IDisposable
{
    /// <summary>An interpreter path that exists nowhere (the host has musl's /lib/ld-musl-x86_64.so.1).</summary>
    const string AbsentInterpreter = "/lib/ld-useremu-absent-x86_64.so.1";

    readonly ElfTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    static CommandResult Run(string path, params string[] options) => HostCommand.RunEmulated(path, [], timeoutMs: 30_000, options: options);

    static void ExpectLine(CommandResult r, string path, string message, int status)
    {
        Assert.False(r.TimedOut, r.ToString());
        Assert.Equal($"useremu: {path}: {message}\n", r.Stderr);
        Assert.Equal("", r.Stdout);
        Assert.Equal(status, r.ExitStatus);
    }

    void Expect(byte[] bytes, string message, int status = 126)
    {
        string path = _files.Write("prog", bytes);
        ExpectLine(Run(path), path, message, status);
    }

    static TestPhdr Text(ulong memSize = 0x1000, ulong align = 0x1000) =>
        new(PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1000, memSize, align);

    /// <summary>A dynamic image whose PT_INTERP names <paramref name="interp"/>.</summary>
    static byte[] WithInterpreter(string interp)
    {
        var name = Encoding.ASCII.GetBytes(interp + "\0");
        var b = Build(3, 0x80, [Text() with { VAddr = 0 }, new TestPhdr(PT_INTERP, PF_R, 0x200, 0x200, (ulong)name.Length, (ulong)name.Length, 1)]);
        name.CopyTo(b, 0x200);
        return b;
    }

    string Script(string name, string text)
    {
        string path = Path.Combine(_files.Dir, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, (UnixFileMode)0x1ED);
        return path;
    }

    [Fact]
    public void TextFile() => Expect("hello, world\n"u8.ToArray(), "not an ELF executable or #! script");

    [Fact]
    public void EmptyFile() => Expect([], "not an ELF executable or #! script");

    [Fact]
    public void TruncatedElfHeader() => Expect(SmallExec()[..40], "truncated ELF header");

    [Fact]
    public void ProgramHeadersPastEndOfFile()
    {
        var b = Build(2, 0x400000, [Text()]);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(32), (ulong)b.Length - 20);
        Expect(b, "program headers point past the end of the file");
    }

    [Fact]
    public void TerabyteMemSize() => Expect(Build(2, 0x400000, [Text(memSize: 0x100_0000_0000)]), "segment is too large");

    [Fact]
    public void AlignNotPowerOfTwo() => Expect(Build(2, 0x400000, [Text(align: 0x3000)]), "p_align is not a power of two");

    [Theory]
    [InlineData(2, 183, "ELF for AArch64, this build runs x86-64")]
    [InlineData(2, 243, "ELF for RISC-V, this build runs x86-64")]
    [InlineData(1, 3, "ELF for i386, this build runs x86-64")]
    [InlineData(1, 62, "ELF for x32, this build runs x86-64")]
    public void ForeignMachineOrClass(byte cls, ushort machine, string message) => Expect(Ident(cls, 1, machine), message);

    /// <summary>A real AArch64 executable, when the cross compiler is installed.</summary>
    [Fact]
    public void RealAArch64Executable()
    {
        string src = Path.Combine(_files.Dir, "a.c"), exe = Path.Combine(_files.Dir, "a64");
        File.WriteAllText(src, "int main(void) { return 0; }\n");
        try
        {
            var cc = HostCommand.Run("aarch64-linux-gnu-gcc-12", ["-static", "-o", exe, src]);
            if (cc.ExitStatus != 0) return;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return; // no cross compiler on this host: the hand-made header case above covers the message
        }
        ExpectLine(Run(exe), exe, "ELF for AArch64, this build runs x86-64", 126);
    }

    [Fact]
    public void MissingInterpreter() =>
        Expect(WithInterpreter(AbsentInterpreter), $"interpreter {AbsentInterpreter} not found under sysroot /", 127);

    [Fact]
    public void MissingInterpreterUnderSysroot()
    {
        string path = _files.Write("prog", WithInterpreter(AbsentInterpreter));
        ExpectLine(Run(path, "-L", _files.Dir), path, $"interpreter {AbsentInterpreter} not found under sysroot {_files.Dir}", 127);
    }

    [Fact]
    public void NonexistentPath()
    {
        string path = Path.Combine(_files.Dir, "nope");
        ExpectLine(Run(path), path, "no such file or directory", 127);
    }

    [Fact]
    public void Directory() => ExpectLine(Run(_files.Dir), _files.Dir, "is a directory", 126);

    [Fact]
    public void NotExecutable()
    {
        string path = _files.Write("noexec", SmallExec(), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        ExpectLine(Run(path), path, "permission denied", 126);
    }

    /// <summary>A file its user may not read: root reads everything, so as root the emulator runs as nobody (setpriv).</summary>
    [Fact]
    public void Unreadable()
    {
        string path = _files.Write("secret", SmallExec(), UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        CommandResult r;
        if (UserEmu.Loader.HostIds.Euid != 0)
        {
            r = Run(path);
        }
        else
        {
            // Group and others may enter the directory and run the file, not read it.
            File.SetUnixFileMode(_files.Dir, (UnixFileMode)0x1ED);
            File.SetUnixFileMode(path, (UnixFileMode)0x149); // --x--x--x
            r = HostCommand.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", HostCommand.Emulator, path], timeoutMs: 30_000);
        }
        ExpectLine(r, path, "permission denied", 126);
    }

    [Fact]
    public void ShebangLoop()
    {
        string path = Path.Combine(_files.Dir, "loop.sh");
        Script("loop.sh", $"#!{path}\n");
        ExpectLine(Run(path), path, "too many levels of #! interpreters (a loop?)", 126);
    }

    [Fact]
    public void ShebangMissingInterpreter()
    {
        string path = Script("missing.sh", "#!/nonexistent/useremu-interp -x\necho unreachable\n");
        ExpectLine(Run(path), path, "#! interpreter /nonexistent/useremu-interp not found under sysroot /", 127);
    }

    [Fact]
    public void ShebangWithoutInterpreter()
    {
        string path = Script("blank.sh", "#!   \necho unreachable\n");
        ExpectLine(Run(path), path, "#! line names no interpreter", 126);
    }

    /// <summary>The counterpart of the failures above: a good script runs its interpreter under the emulator, argv rewritten as binfmt_script does.</summary>
    [Fact]
    public void ShebangScriptRuns()
    {
        string path = Script("ok.sh", "#!/bin/sh -e\necho \"script $0 $1\"\n");
        var r = HostCommand.RunEmulated(path, ["arg"], timeoutMs: 60_000);
        Assert.Equal($"script {path} arg\n", r.Stdout);
        Assert.Equal("", r.Stderr);
        Assert.Equal(0, r.ExitStatus);
    }
}
