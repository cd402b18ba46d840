namespace UserEmu.Bench;

/// <summary>The workloads of issue 7, in table order. Sizes are (full, --smoke).</summary>
static class WorkloadCatalog
{
    public static readonly Workload[] All =
    [
        new("startup", "`busybox true`: emulator start-up and exit (static)",
            ctx => ctx.Busybox("true")),
        new("fib", "fib(36) by naive recursion: calls, returns, small blocks",
            ctx => ctx.C("fib.c", [ctx.Size(36, 20)])),
        new("nbody", "n-body, 1M steps: SSE2 double arithmetic, sqrt, division",
            ctx => ctx.C("nbody.c", [ctx.Size(1_000_000, 1000)], "-lm")),
        new("qsort", "qsort of 300k random strings with strcmp: libc, indirect calls",
            ctx => ctx.C("qsort_strings.c", [ctx.Size(300_000, 3000)])),
        new("strings", "memcpy/strlen/strcmp/memchr on 1-4096 byte buffers, 1M rounds: libc SIMD string code",
            ctx => ctx.C("string_ops.c", [ctx.Size(1_000_000, 10_000)])),
        new("syscalls", "300k write(/dev/null) + getppid: system-call round trip",
            ctx => ctx.C("syscalls.c", [ctx.Size(300_000, 3000)])),
        new("sha256sum", "`busybox sha256sum` of a 32 MiB generated file: integer hashing loop, read(2)",
            ctx => ctx.Busybox("sha256sum", ctx.Corpus())),
        new("gzip", "`busybox gzip -c` of the 32 MiB file: deflate, stdout compared",
            ctx => ctx.Busybox("gzip", "-c", ctx.Corpus())),
        new("lua", "`lua5.4` fib(30): bytecode interpreter (dynamic binary)",
            ctx => ctx.Script("lua5.4", [], "fib.lua", ctx.Size(30, 15))),
        new("python", "`python3` json round trip + sha256 of 20k records (dynamic binary)",
            // -I: isolated mode, so the user's site-packages and PYTHON* variables do not change what runs.
            ctx => ctx.Script("python3", ["-I"], "json_sha.py", ctx.Size(20_000, 200))),
        new("pthreads", "4 threads x 8M atomic increments, a mutex every 8th: futex, lock prefix",
            ctx => ctx.C("pthreads.c", [ctx.Size(8_000_000, 10_000)], "-pthread")),
        new("gcc", "`gcc -O2 -c` of a generated ~3200-line C file: big code, fork+exec of cc1 and as (dynamic)",
            ctx => GccDriver(ctx)),
        new("cc1", "cc1 -O2 alone on the same file: translation speed, no fork (dynamic)",
            ctx => Cc1(ctx)),
    ];

    static PreparedWorkload GccDriver(WorkloadContext ctx)
    {
        if (ctx.Tool("gcc") is not { } gcc) return PreparedWorkload.Skip("gcc not installed");
        string obj = ctx.OutputPath("bigcode.o");
        return new PreparedWorkload([gcc, "-O2", "-c", ctx.BigC(), "-o", obj], OutputFile: obj);
    }

    /// <summary>
    /// qemu-x86_64 without binfmt_misc runs only the gcc driver emulated (cc1 and as are exec'd natively),
    /// so the gcc row flatters it; cc1 run directly is the fair translation-speed comparison.
    /// </summary>
    static PreparedWorkload Cc1(WorkloadContext ctx)
    {
        if (ctx.Tool("gcc") is not { } gcc) return PreparedWorkload.Skip("gcc not installed");
        var r = Host.HostCommand.Run([gcc, "-print-prog-name=cc1"], TimeSpan.FromSeconds(20));
        string cc1 = r.Stdout.Trim();
        if (!r.Exit.Succeeded || !Path.IsPathRooted(cc1) || !File.Exists(cc1)) return PreparedWorkload.Skip("cc1 not found (gcc -print-prog-name=cc1)");
        string asm = ctx.OutputPath("bigcode.s");
        return new PreparedWorkload([cc1, "-quiet", "-O2", ctx.BigC(), "-o", asm], OutputFile: asm);
    }
}
