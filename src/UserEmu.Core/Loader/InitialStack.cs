using System.Text;
using UserEmu.Host;
using UserEmu.Memory;
using static UserEmu.Loader.AuxvType;

namespace UserEmu.Loader;

/// <summary>Maps the guest's [stack] and lays out argc/argv/envp/auxv exactly as Linux's create_elf_tables does on x86-64.</summary>
public static class InitialStack
{
    /// <summary>RLIMIT_STACK's default: the whole region is mapped up front since guest stacks do not grow on fault here.</summary>
    public const ulong StackSize = 8UL << 20;
    /// <summary>MAX_ARG_STRLEN: the longest single argument or environment string execve accepts.</summary>
    public const int MaxArgStrlen = 32 * 4096;
    /// <summary>Strings plus pointers may use a quarter of the stack limit (bprm_stack_limits).</summary>
    public const ulong ArgSpaceLimit = StackSize / 4;
    const string Platform = "x86_64";

    /// <summary>Maps the stack below <see cref="GuestAddressSpace.StackTop"/> and fills it; throws <see cref="ExecFormatException"/> for E2BIG or when the stack cannot be mapped.</summary>
    public static InitialStackLayout Build(GuestAddressSpace mem, StackInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(mem);
        ArgumentNullException.ThrowIfNull(inputs);
        // Since Linux 5.18 an empty argv becomes { "" } so that argv[0] always exists.
        var argv = (inputs.Argv.Length == 0 ? [""] : inputs.Argv).Select(CString).ToArray();
        var envp = inputs.Envp.Select(CString).ToArray();
        byte[] execFn = CString(inputs.ExecFn);
        CheckLimits(argv, envp, execFn);

        ulong top = mem.StackTop, low = top - StackSize;
        var prot = PageFlags.Read | PageFlags.Write | (inputs.ExecStack ? PageFlags.Exec : 0);
        long r = mem.Map(new MapRequest(low, StackSize, prot, Shared: false, Fixed: false, NoReplace: true, Name: "[stack]", GrowsDown: true));
        if (r < 0) throw new ExecFormatException($"cannot map the stack (errno {-r})", ExecFormatException.ExitCannotExecute, LinuxErrno.ENOMEM);

        // The kernel keeps one NULL word at the very top, then execfn, the environment strings, the argument strings.
        ulong p = top - 8;
        ulong execFnAddr = p -= (ulong)execFn.Length;
        mem.WriteBytes(execFnAddr, execFn);
        ulong envEnd = p;
        ulong[] envPtrs = PutStrings(mem, ref p, envp);
        ulong envStart = p, argEnd = p;
        ulong[] argPtrs = PutStrings(mem, ref p, argv);
        ulong argStart = p;

        // arch_align_stack without randomisation, then the platform string and the AT_RANDOM bytes.
        p &= ~15UL;
        byte[] platform = CString(Platform);
        ulong platformAddr = p -= (ulong)platform.Length;
        mem.WriteBytes(platformAddr, platform);
        Span<byte> random = stackalloc byte[16];
        LibC.GetRandom(random);
        ulong randomAddr = p -= 16;
        mem.WriteBytes(randomAddr, random);

        ulong[] auxv = Auxv(inputs, randomAddr, execFnAddr, platformAddr);

        // STACK_ADD then STACK_ROUND: the pointer block sits below the auxv, and the whole is rounded down to 16.
        ulong sp = p - (ulong)auxv.Length * 8;
        ulong items = (ulong)(argPtrs.Length + 1 + envPtrs.Length + 1 + 1);
        sp = (sp - items * 8) & ~15UL;

        ulong w = sp;
        mem.Write64(w, (ulong)argPtrs.Length); w += 8;
        foreach (ulong a in argPtrs) { mem.Write64(w, a); w += 8; }
        mem.Write64(w, 0); w += 8;
        foreach (ulong e in envPtrs) { mem.Write64(w, e); w += 8; }
        mem.Write64(w, 0); w += 8;
        foreach (ulong v in auxv) { mem.Write64(w, v); w += 8; }

        return new InitialStackLayout
        {
            StackPointer = sp, Auxv = auxv, StackLow = low, StackHigh = top,
            ArgStart = argStart, ArgEnd = argEnd, EnvStart = envStart, EnvEnd = envEnd,
            RandomAddress = randomAddr, ExecFnAddress = execFnAddr,
        };
    }

    /// <summary>The auxiliary vector in the kernel's order (ARCH_DLINFO first; no AT_SYSINFO_EHDR as there is no vDSO).</summary>
    static ulong[] Auxv(StackInputs inputs, ulong randomAddr, ulong execFnAddr, ulong platformAddr)
    {
        var prog = inputs.Program;
        return
        [
            AT_MINSIGSTKSZ, inputs.MinSigStackSize,
            AT_HWCAP, inputs.HwCap,
            AT_PAGESZ, GuestAddressSpace.PageSize,
            AT_CLKTCK, 100,
            AT_PHDR, prog.PhdrAddress,
            AT_PHENT, (ulong)prog.PhEntSize,
            AT_PHNUM, (ulong)prog.PhCount,
            AT_BASE, inputs.InterpreterBase,
            AT_FLAGS, 0,
            AT_ENTRY, prog.Entry,
            AT_UID, HostIds.Uid,
            AT_EUID, HostIds.Euid,
            AT_GID, HostIds.Gid,
            AT_EGID, HostIds.Egid,
            AT_SECURE, 0,
            AT_RANDOM, randomAddr,
            AT_HWCAP2, inputs.HwCap2,
            AT_EXECFN, execFnAddr,
            AT_PLATFORM, platformAddr,
            AT_NULL, 0,
        ];
    }

    /// <summary>Writes the strings contiguously in order ending at <paramref name="p"/>, moves p to their start, returns their addresses.</summary>
    static ulong[] PutStrings(GuestAddressSpace mem, ref ulong p, byte[][] strings)
    {
        ulong total = 0;
        foreach (var s in strings) total += (ulong)s.Length;
        p -= total;
        var ptrs = new ulong[strings.Length];
        ulong at = p;
        for (int i = 0; i < strings.Length; i++)
        {
            ptrs[i] = at;
            mem.WriteBytes(at, strings[i]);
            at += (ulong)strings[i].Length;
        }
        return ptrs;
    }

    static void CheckLimits(byte[][] argv, byte[][] envp, byte[] execFn)
    {
        ulong bytes = (ulong)execFn.Length + (ulong)(argv.Length + envp.Length) * 8;
        foreach (var s in argv.Concat(envp))
        {
            if (s.Length > MaxArgStrlen) throw TooBig();
            bytes += (ulong)s.Length;
        }
        if (execFn.Length > MaxArgStrlen || bytes > ArgSpaceLimit) throw TooBig();
    }

    static ExecFormatException TooBig() => new("argument list too long", ExecFormatException.ExitCannotExecute, LinuxErrno.E2BIG);

    /// <summary>The string's bytes (<see cref="GuestText"/>) plus the terminating NUL; a string with an embedded NUL ends there, as a C string would.</summary>
    static byte[] CString(string s)
    {
        int nul = s.IndexOf('\0');
        if (nul >= 0) s = s[..nul];
        return GuestText.EncodeCString(s);
    }
}
