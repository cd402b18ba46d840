using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.EndToEnd;

/// <summary>Blocks translated to native code on the process's compile thread: host forks while it works, and children that go on without it.</summary>
public class CompileThreadTests
{
    // Each round warms new code paths (the loop bounds change) just before a fork, so blocks are queued or being
    // translated when the parent forks; each child computes long enough to want native code itself.
    const string ForkWhileTranslating = """
        #include <stdio.h>
        #include <unistd.h>
        #include <sys/wait.h>
        static unsigned work(unsigned s, int n, int shape) {
            for (int i = 0; i < n; i++) {
                switch ((s >> 3) % 4 + shape % 3) {
                case 0: s = s * 1103515245u + 12345u; break;
                case 1: s ^= s >> 7; s += i; break;
                case 2: s = (s << 5) | (s >> 27); break;
                default: s -= (unsigned)i * 2654435761u; break;
                }
            }
            return s;
        }
        int main(void) {
            unsigned acc = 1;
            for (int k = 0; k < 120; k++) {
                acc = work(acc, 1500 + k * 41, k);
                pid_t p = fork();
                if (p == 0) _exit(work(acc ^ (unsigned)k, 4000 + k * 17, k + 1) & 0x7f);
                int st;
                waitpid(p, &st, 0);
                acc += WEXITSTATUS(st);
            }
            printf("%u\n", acc);
            return 0;
        }
        """;

    [Fact]
    public void ForksWhileBlocksAreTranslatedGiveNativesResults()
    {
        string exe = GuestCompiler.Build(ForkWhileTranslating, BuildFlavor.GlibcStatic);
        for (int run = 0; run < 3; run++) NativeOracle.AssertSameAsNative(exe, []);
    }
}
