using System.Runtime.InteropServices;
using System.Text;

namespace UserEmu.Host;

/// <summary>Replacing this process with another program: the host's execve, and the environment this process started with.</summary>
public static unsafe class HostExec
{
    const int SysExecve = 59;

    /// <summary>execve(argv[0], argv, envp); returns only on failure, with the negative errno.</summary>
    public static long Run(string[] argv, string[] envp)
    {
        nint* hostArgv = NativeArray(argv), hostEnvp = NativeArray(envp);
        try
        {
            long r = LibC.syscall(SysExecve, hostArgv[0], (long)hostArgv, (long)hostEnvp, 0, 0, 0);
            return r == -1 ? -LibC.Errno : r;
        }
        finally
        {
            FreeArray(hostArgv, argv.Length);
            FreeArray(hostEnvp, envp.Length);
        }
    }

    /// <summary>The environment this process was started with, in its original order (the runtime keeps its own copy).</summary>
    public static List<string> StartupEnvironment()
    {
        var env = new List<string>();
        try
        {
            var raw = File.ReadAllBytes("/proc/self/environ");
            int start = 0;
            for (int i = 0; i < raw.Length; i++)
            {
                if (raw[i] != 0) continue;
                env.Add(GuestText.Decode(raw.AsSpan(start, i - start)));
                start = i + 1;
            }
        }
        catch (IOException)
        {
            // No /proc: the runtime's copy, in no particular order.
            foreach (System.Collections.DictionaryEntry kv in Environment.GetEnvironmentVariables())
                env.Add($"{kv.Key}={kv.Value}");
            env.Sort(StringComparer.Ordinal);
        }
        return env;
    }

    static nint* NativeArray(string[] items)
    {
        var array = (nint*)NativeMemory.Alloc((nuint)(items.Length + 1), (nuint)sizeof(nint));
        for (int i = 0; i < items.Length; i++)
        {
            var bytes = GuestText.Encode(items[i]);
            var s = (byte*)Marshal.AllocCoTaskMem(bytes.Length + 1);
            bytes.CopyTo(new Span<byte>(s, bytes.Length));
            s[bytes.Length] = 0;
            array[i] = (nint)s;
        }
        array[items.Length] = 0;
        return array;
    }

    static void FreeArray(nint* array, int count)
    {
        for (int i = 0; i < count; i++) Marshal.FreeCoTaskMem(array[i]);
        NativeMemory.Free(array);
    }
}
