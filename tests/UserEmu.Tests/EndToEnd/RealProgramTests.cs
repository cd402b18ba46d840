using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.EndToEnd;

/// <summary>Debian's own dynamically linked programs (interpreters, coreutils, sqlite, bash) against their native runs.</summary>
public class RealProgramTests
{
    static readonly string Input = string.Concat(Enumerable.Range(0, 500).Select(i => $"{(i * 7919) % 997} row{i % 13}\n"));

    public static TheoryData<string, string[]> Commands() => new()
    {
        { "/usr/bin/sort", ["-k2", "-n"] },
        { "/usr/bin/sha256sum", [] },
        { "/usr/bin/wc", ["-lwc"] },
        { "/usr/bin/od", ["-A", "x", "-t", "x1z", "-N", "48"] },
        { "/usr/bin/tr", ["a-z", "A-Z"] },
        { "/usr/bin/seq", ["-w", "1", "7", "50"] },
        { "/usr/bin/md5sum", [] },
        { "/usr/bin/gzip", ["-c", "-n", "-9"] },
        { "/usr/bin/find", [Path.GetDirectoryName(GuestCompiler.SamplePath("hello.c"))!, "-name", "*.c", "-size", "-100k"] },
        { "/usr/bin/python3", ["-c", "import sys, json, hashlib, re\nd = sys.stdin.read()\nprint(len(d), hashlib.sha256(d.encode()).hexdigest())\nprint(json.dumps(sorted(set(re.findall(r'row\\d+', d)))[:5]), sum(float(l.split()[0]) for l in d.splitlines()) / 3)"] },
        { "/usr/bin/perl", ["-ne", "$s += (split)[0]; $w{(split)[1]}++; END { printf \"%d %s\\n\", $s, join ',', map {\"$_=$w{$_}\"} sort keys %w }"] },
        { "/usr/bin/lua5.4", ["-e", "local n, s = 0, 0 for l in io.lines() do n = n + 1 s = s + tonumber(l:match('%d+')) end print(n, s, string.format('%.4f', s / n), math.sqrt(2))"] },
        { "/usr/bin/sqlite3", [":memory:", "create table t(a integer, b text); insert into t values (3,'x'),(1,'y'),(2,'x'); select b, sum(a), avg(a) from t group by b order by b; select printf('%.3f', 22.0/7);"] },
        { "/usr/bin/python3", ["-c", "import threading, concurrent.futures, signal, faulthandler, time\nfaulthandler.enable()\ntotal = 0\nlock = threading.Lock()\ndef work(n):\n    global total\n    s = sum(i * i for i in range(n))\n    with lock:\n        total += s\n    return s\nts = [threading.Thread(target=work, args=(2000 + i,)) for i in range(8)]\nfor t in ts: t.start()\nfor t in ts: t.join()\nprint('threads', total)\nwith concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:\n    print('futures', sum(ex.map(work, range(100, 140))))\nfired = []\nsignal.signal(signal.SIGALRM, lambda s, f: fired.append(s))\nsignal.alarm(1)\ntime.sleep(3)\nprint('alarm', fired)"] },
        { "/bin/bash", ["-c", "sum=0; while read a b; do sum=$((sum + a)); done; echo $sum; for f in x y; do printf '%s-%s\\n' $f ${#f}; done"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void MatchesNative(string program, string[] args)
    {
        Assert.True(File.Exists(program), $"{program} is not installed (.ci/run installs it)");
        NativeOracle.AssertSameAsNative(program, args, Input, timeoutMs: 120_000);
    }
}
