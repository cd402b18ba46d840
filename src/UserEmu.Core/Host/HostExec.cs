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
        try
        {
            return GuestText.ReadList("/proc/self/environ");
        }
        catch (IOException)
        {
            // No /proc: the runtime's copy, in no particular order.
            var env = new List<string>();
            foreach (System.Collections.DictionaryEntry kv in Environment.GetEnvironmentVariables())
                env.Add($"{kv.Key}={kv.Value}");
            env.Sort(StringComparer.Ordinal);
            return env;
        }
    }

    static nint* NativeArray(string[] items)
    {
        var array = (nint*)NativeMemory.Alloc((nuint)(items.Length + 1), (nuint)sizeof(nint));
        for (int i = 0; i < items.Length; i++)
        {
            var bytes = GuestText.EncodeCString(items[i]);
            var s = (byte*)Marshal.AllocCoTaskMem(bytes.Length);
            bytes.CopyTo(new Span<byte>(s, bytes.Length));
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
