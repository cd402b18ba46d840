using System.Text;
using UserEmu.Host;
using UserEmu.Memory;

namespace UserEmu.Engine.Proc;

/// <summary>Contents of the /proc files in which the guest must see itself rather than the emulator (maps, cmdline, auxv, stat, status, cpuinfo).</summary>
public static class ProcFiles
{
    /// <summary>/proc/self/maps in the kernel's format (names padded to column 74).</summary>
    public static string Maps(GuestProcess proc)
    {
        var sb = new StringBuilder();
        foreach (var m in proc.Memory.Mappings())
        {
            int start = sb.Length;
            sb.Append($"{m.Start:x8}-{m.End:x8} ");
            sb.Append((m.Prot & PageFlags.Read) != 0 ? 'r' : '-');
            sb.Append((m.Prot & PageFlags.Write) != 0 ? 'w' : '-');
            sb.Append((m.Prot & PageFlags.Exec) != 0 ? 'x' : '-');
            sb.Append(m.Shared ? 's' : 'p');
            ulong major = (m.Device >> 8) & 0xfff, minor = (m.Device & 0xff) | ((m.Device >> 12) & 0xfff00);
            sb.Append($" {m.FileOffset:x8} {major:x2}:{minor:x2} {m.Inode}");
            if (m.Name != null)
            {
                int col = sb.Length - start;
                sb.Append(' ', Math.Max(1, 73 - col));
                sb.Append(m.Name);
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>/proc/self/cmdline: the guest's argv, each NUL-terminated.</summary>
    public static byte[] Cmdline(GuestProcess proc) => NulJoined(proc.Argv);

    /// <summary>/proc/self/environ.</summary>
    public static byte[] Environ(GuestProcess proc) => NulJoined(proc.Envp);

    static byte[] NulJoined(string[] items)
    {
        var ms = new MemoryStream();
        foreach (var a in items)
        {
            var b = Encoding.UTF8.GetBytes(a);
            ms.Write(b);
            ms.WriteByte(0);
        }
        return ms.ToArray();
    }

    /// <summary>/proc/self/auxv: the (type, value) pairs the guest was started with, as raw 64-bit words.</summary>
    public static byte[] Auxv(GuestProcess proc)
    {
        var bytes = new byte[proc.Auxv.Length * 8];
        for (int k = 0; k < proc.Auxv.Length; k++) BitConverter.TryWriteBytes(bytes.AsSpan(k * 8), proc.Auxv[k]);
        return bytes;
    }

    /// <summary>/proc/self/stat for the guest: host values for scheduling fields, the guest's name and memory layout for the rest.</summary>
    public static string Stat(GuestProcess proc, string hostStat)
    {
        // Replace the fields that describe the image (field numbers as in proc(5)).
        var fields = ProcStatFields.Split(hostStat);
        string pid = hostStat[..hostStat.IndexOf(' ')];
        ulong vsize = 0;
        foreach (var m in proc.Memory.Mappings()) vsize += m.Length;
        void Set(int field, ulong value)
        {
            int idx = ProcStatFields.Index(field);
            if (idx < fields.Length) fields[idx] = value.ToString();
        }
        Set(23, vsize);
        Set(28, proc.InitialSp);
        Set(45, proc.Memory.BrkStart);
        Set(48, proc.ArgStart);
        Set(49, proc.ArgEnd);
        Set(50, proc.EnvStart);
        Set(51, proc.EnvEnd);
        return $"{pid} ({proc.Comm}) {string.Join(' ', fields)}\n";
    }

    /// <summary>/proc/self/status with the guest's name and memory sizes; other lines come from the host's file.</summary>
    public static string Status(GuestProcess proc, string hostStatus)
    {
        ulong vsize = 0;
        foreach (var m in proc.Memory.Mappings()) vsize += m.Length;
        var sb = new StringBuilder();
        foreach (var line in hostStatus.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("Name:", StringComparison.Ordinal)) sb.Append($"Name:\t{proc.Comm}\n");
            else if (line.StartsWith("VmSize:", StringComparison.Ordinal)) sb.Append($"VmSize:\t{vsize / 1024,8} kB\n");
            else if (line.StartsWith("Threads:", StringComparison.Ordinal)) sb.Append($"Threads:\t{proc.Threads.Count}\n");
            else sb.Append(line).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>/proc/cpuinfo describing the emulated CPU (its flags match CPUID and AT_HWCAP).</summary>
    public static string CpuInfo(Cpu.X86.CpuModel model, int cpus)
    {
        var sb = new StringBuilder();
        string flags = string.Join(' ', model.Flags());
        for (int n = 0; n < cpus; n++)
        {
            sb.Append($"processor\t: {n}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 58\n");
            sb.Append($"model name\t: UserEmu x86-64 virtual CPU ({model.Name})\nstepping\t: 9\n");
            sb.Append($"physical id\t: 0\nsiblings\t: {cpus}\ncore id\t\t: {n}\ncpu cores\t: {cpus}\n");
            sb.Append($"fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: 7\nwp\t\t: yes\nflags\t\t: {flags}\n");
            sb.Append("clflush size\t: 64\ncache_alignment\t: 64\naddress sizes\t: 40 bits physical, 48 bits virtual\n\n");
        }
        return sb.ToString();
    }
}
