using UserEmu.Memory;

namespace UserEmu.Loader;

/// <summary>A program mapped for its first instruction: the executable, its PT_INTERP interpreter if it has one, and the entry point.</summary>
/// <remarks>
/// As binfmt_elf: a dynamically linked program starts in its interpreter (ld.so), which finds the program through
/// AT_PHDR/AT_ENTRY and itself through AT_BASE. The interpreter path is looked up with qemu's -L rule
/// (<see cref="SysRoot.Resolve"/>): under the guest root first, then on the host.
/// </remarks>
public sealed class ProgramImage
{
    public required LoadedImage Program { get; init; }
    /// <summary>The mapped interpreter, or null for a static program.</summary>
    public LoadedImage? Interpreter { get; init; }
    /// <summary>Where the guest's first instruction is: the interpreter's entry, else the program's.</summary>
    public ulong Entry => Interpreter?.Entry ?? Program.Entry;
    /// <summary>AT_BASE: the interpreter's load bias, 0 without one.</summary>
    public ulong InterpreterBase => Interpreter?.LoadBias ?? 0;

    /// <summary>Maps the program at <paramref name="path"/> (a host path) and its interpreter from <paramref name="sysRoot"/>.</summary>
    /// <exception cref="ExecFormatException">Either file cannot be run; a missing interpreter is ENOENT, as execve reports it.</exception>
    public static ProgramImage Load(GuestAddressSpace mem, string path, string sysRoot)
    {
        var program = ElfLoader.Load(mem, path);
        if (program.Interpreter == null) return new ProgramImage { Program = program };
        string interpPath = SysRoot.Resolve(sysRoot, program.Interpreter)
            ?? throw ExecFormatException.InterpreterNotFound("interpreter", program.Interpreter, sysRoot);
        var interp = ElfLoader.Load(mem, interpPath, isInterpreter: true);
        return new ProgramImage { Program = program, Interpreter = interp };
    }
}
