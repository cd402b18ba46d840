using System.Text;
using UserEmu.Cpu.X86;

namespace UserEmu.Engine;

/// <summary>Register dump for <c>-d cpu</c> and internal error reports.</summary>
public static unsafe class CpuDump
{
    static readonly string[] Names = ["RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"];

    public static string Format(CpuState* s)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 16; i++)
        {
            sb.Append($"{Names[i],-3}={s->Gpr[i]:x16}");
            sb.Append(i % 4 == 3 ? '\n' : ' ');
        }
        sb.Append($"RIP={s->Rip:x16} RFL={LazyFlags.Rflags(s):x8} FS={s->FsBase:x16} GS={s->GsBase:x16}\n");
        return sb.ToString();
    }
}
