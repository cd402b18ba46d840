using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.EndToEnd;

/// <summary>Programs that start other programs (make, the gcc driver, tar, find -exec, bash, multiprocessing) against native runs.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class ProcessToolTests
{
    const int Timeout = 300_000;

    static string NewDir() => Directory.CreateTempSubdirectory("useremu-tools-").FullName;

    const string MultiprocessingScript = """
        import multiprocessing as mp
        def f(x): return x * x
        def add(v, lock, n):
            for _ in range(n):
                with lock:
                    v.value += 1
        if __name__ == '__main__':
            ctx = mp.get_context('fork')
            with ctx.Pool(2) as pool:
                print(pool.map(f, range(10)))
                print(sorted(pool.imap_unordered(f, range(5))))
            v = ctx.Value('i', 0)
            lock = ctx.Lock()
            ps = [ctx.Process(target=add, args=(v, lock, 300)) for _ in range(3)]
            for p in ps: p.start()
            for p in ps: p.join()
            print('counter', v.value, [p.exitcode for p in ps])
            q = ctx.Queue()
            p = ctx.Process(target=q.put, args=(('from child', 42),))
            p.start(); print(q.get()); p.join()
            print('exit', p.exitcode)
        """;

    /// <summary>Pool shutdown waits on POSIX semaphores (shared futexes in /dev/shm) that forked workers post.</summary>
    [FactNeeds("/usr/bin/python3")]
    public void PythonMultiprocessingWithFork() =>
        NativeOracle.AssertSameAsNative("/usr/bin/python3", ["-c", MultiprocessingScript], timeoutMs: Timeout);

    const string SubprocessScript = """
        import subprocess, os, sys
        r = subprocess.run(['ls', '/proc/self/fd'], capture_output=True, text=True)
        print('ls fd:', r.stdout.split(), r.returncode)
        r = subprocess.run('echo $((6*7)) | tr 4 x; exit 3', shell=True, capture_output=True, text=True)
        print(repr(r.stdout), r.returncode)
        p = subprocess.Popen([sys.executable, '-c', 'import sys; print(sys.stdin.read().upper()); sys.exit(5)'],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        out, _ = p.communicate('hello from parent')
        print(repr(out), p.returncode)
        print(sorted(os.listdir('/proc/self/fd')))
        """;

    /// <summary>subprocess (fork/exec through _posixsubprocess, which closes descriptors from a /proc/self/fd listing).</summary>
    [FactNeeds("/usr/bin/python3")]
    public void PythonSubprocess() =>
        NativeOracle.AssertSameAsNative("/usr/bin/python3", ["-c", SubprocessScript], timeoutMs: Timeout);

    /// <summary>make runs the gcc driver, which runs cc1, as and collect2/ld: every one an emulated child.</summary>
    [FactNeeds("/usr/bin/make", "/usr/bin/gcc")]
    public void MakeBuildsAndRunsATwoFileProgram()
    {
        string dir = NewDir();
        File.WriteAllText(Path.Combine(dir, "main.c"),
            "#include <stdio.h>\nint twice(int);\nint main(void) { printf(\"twice(21) = %d\\n\", twice(21)); return twice(0); }\n");
        File.WriteAllText(Path.Combine(dir, "twice.c"), "int twice(int x) { return 2 * x; }\n");
        File.WriteAllText(Path.Combine(dir, "build.mk"),
            "prog: main.o twice.o\n\tgcc -o $@ $^\n%.o: %.c\n\tgcc -O2 -c $< -o $@\nrun: prog\n\t./prog\n\t@echo built $^\n");
        // -B: the emulated run rebuilds what the native run just built.
        NativeOracle.AssertSameAsNative("/usr/bin/make", ["-B", "-f", "build.mk", "run"], workDir: dir, timeoutMs: Timeout);
    }

    /// <summary>gcc -O2 -c under emulation (cc1 and as emulated) writes the same object file as natively.</summary>
    [FactNeeds("/usr/bin/gcc")]
    public void GccCompilesTheSameObject()
    {
        string dir = NewDir();
        File.WriteAllText(Path.Combine(dir, "x.c"), """
            #include <math.h>
            #include <string.h>
            struct point { double x, y; };
            static int cmp(const void *a, const void *b) { return memcmp(a, b, sizeof(struct point)); }
            double norm(const struct point *p, int n) {
                double s = 0;
                for (int i = 0; i < n; i++) s += sqrt(p[i].x * p[i].x + p[i].y * p[i].y);
                return s / n;
            }
            int classify(int c) {
                switch (c) { case 'a': return 1; case 'e': return 2; case 'i': return 3; case 'o': return 4; case 'u': return 5; default: return c > 'z' ? -1 : 0; }
            }
            void *comparator(void) { return (void *)cmp; }
            """);
        var native = HostCommand.Run("/usr/bin/gcc", ["-O2", "-c", "x.c", "-o", "native.o"], workDir: dir, timeoutMs: Timeout);
        Assert.True(native.ExitStatus == 0, native.ToString());
        var emulated = HostCommand.RunEmulated("/usr/bin/gcc", ["-O2", "-c", "x.c", "-o", "emulated.o"], workDir: dir, timeoutMs: Timeout);
        Assert.True(emulated.ExitStatus == 0 && emulated.Stderr == "" && !emulated.TimedOut, emulated.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "native.o")), File.ReadAllBytes(Path.Combine(dir, "emulated.o")));
    }

    static string MakeTree()
    {
        string dir = NewDir();
        Directory.CreateDirectory(Path.Combine(dir, "tree/sub/deeper"));
        File.WriteAllText(Path.Combine(dir, "tree/a.txt"), "alpha\n");
        File.WriteAllText(Path.Combine(dir, "tree/sub/b.c"), "int b;\n");
        File.WriteAllText(Path.Combine(dir, "tree/sub/deeper/c.c"), string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i}\n")));
        File.CreateSymbolicLink(Path.Combine(dir, "tree/link"), "a.txt");
        File.SetUnixFileMode(Path.Combine(dir, "tree/sub/b.c"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return dir;
    }

    /// <summary>tar creates the same archive bytes, lists it the same, and extracts it back to the same tree.</summary>
    [FactNeeds("/usr/bin/tar")]
    public void TarRoundTrip()
    {
        string dir = MakeTree();
        string[] create = ["--sort=name", "-cf", "ARCHIVE", "tree"];
        var native = HostCommand.Run("/usr/bin/tar", create.Select(a => a.Replace("ARCHIVE", "native.tar")), workDir: dir);
        var emulated = HostCommand.RunEmulated("/usr/bin/tar", create.Select(a => a.Replace("ARCHIVE", "emulated.tar")), workDir: dir, timeoutMs: Timeout);
        Assert.True(native.ExitStatus == 0 && emulated.ExitStatus == 0, emulated.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "native.tar")), File.ReadAllBytes(Path.Combine(dir, "emulated.tar")));
        NativeOracle.AssertSameAsNative("/usr/bin/tar", ["-tvf", "emulated.tar"], workDir: dir, timeoutMs: Timeout);
        Directory.CreateDirectory(Path.Combine(dir, "out"));
        var extract = HostCommand.RunEmulated("/usr/bin/tar", ["-xpf", "emulated.tar", "-C", "out"], workDir: dir, timeoutMs: Timeout);
        Assert.True(extract.ExitStatus == 0, extract.ToString());
        var diff = HostCommand.Run("/usr/bin/diff", ["-r", "--no-dereference", "tree", "out/tree"], workDir: dir);
        Assert.True(diff.ExitStatus == 0, diff.ToString());
        Assert.Equal(File.GetUnixFileMode(Path.Combine(dir, "tree/sub/b.c")), File.GetUnixFileMode(Path.Combine(dir, "out/tree/sub/b.c")));
    }

    /// <summary>find with -name, -type and both forms of -exec (each a fork and exec of an emulated program).</summary>
    [FactNeeds("/usr/bin/find")]
    public void FindWithExec()
    {
        string dir = MakeTree();
        NativeOracle.AssertSameAsNative("/usr/bin/find",
            ["tree", "-name", "*.c", "-type", "f", "-exec", "wc", "-l", "{}", ";", "-o", "-type", "d", "-exec", "ls", "-d", "{}", "+"],
            workDir: dir, timeoutMs: Timeout);
        NativeOracle.AssertSameAsNative("/usr/bin/find", ["tree", "-type", "l", "-printf", "%p -> %l\n", "-o", "-newer", "tree/a.txt", "-print"],
            workDir: dir, timeoutMs: Timeout);
    }

    /// <summary>gzip and gunzip (a #! script running gzip -d) round trip, with the same compressed bytes as natively.</summary>
    [FactNeeds("/usr/bin/gzip", "/usr/bin/gunzip", "/bin/bash")]
    public void GzipRoundTrip()
    {
        string dir = MakeTree();
        const string script = "cp tree/sub/deeper/c.c f && gzip -9 -n f && sha256sum f.gz && test ! -e f && gunzip f.gz && cmp f tree/sub/deeper/c.c && echo same && rm f";
        NativeOracle.AssertSameAsNative("/bin/bash", ["-c", script], workDir: dir, timeoutMs: Timeout);
    }

    const string BashScript = """
        set -e
        cd "$(mktemp -d)"
        n=$(seq 1 100 | grep 7 | wc -l)
        echo "sevens: $n"
        ( cd / && pwd; exit 3 ) || echo "subshell status $?"
        { echo out; echo err >&2; } > o.txt 2> e.txt
        cat o.txt e.txt
        printf 'b\na\nc\n' | sort -r | tr a-z A-Z | head -2
        exec 3> f3.txt; echo via3 >&3; exec 3>&-; cat f3.txt
        x=$( (echo inner; false) | cat ); echo "x=$x ${PIPESTATUS[*]}"
        set -o pipefail; if ! (true | false); then echo pipefail works; fi
        while read -r l; do echo "line:$l"; done < <(printf '1\n2\n')
        cat <<HERE
        here $((6*7)) $(basename "$(pwd)" | wc -c)
        HERE
        sleep 0.1 & wait $!; echo "background $?"
        echo to-stderr >&2
        rm -r "$PWD"
        exit 5
        """;

    /// <summary>A bash script with pipelines, command and process substitution, subshells, redirections and a background job.</summary>
    [FactNeeds("/bin/bash")]
    public void BashScriptWithPipelinesAndSubshells() =>
        NativeOracle.AssertSameAsNative("/bin/bash", ["-c", BashScript], timeoutMs: Timeout);
}
