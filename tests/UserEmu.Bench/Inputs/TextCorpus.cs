using System.Text;

namespace UserEmu.Bench.Inputs;

/// <summary>A deterministic, compressible text file for sha256sum and gzip: log-like lines of words and numbers.</summary>
/// <remarks>
/// Purely random bytes would make gzip's run incompressible and unrepresentative; repeated text would make it
/// trivially fast. Words drawn with a skewed distribution from a fixed vocabulary compress about 3:1, like logs.
/// The xorshift generator and its seed are fixed, so every machine gets the same bytes and the same hashes.
/// </remarks>
static class TextCorpus
{
    /// <summary>Bump when the content changes, so cached files from an older generator are not reused.</summary>
    const int Version = 1;

    /// <summary>The path of the file of <paramref name="bytes"/> bytes, generated on first use.</summary>
    public static string Ensure(string dataDir, long bytes)
    {
        string path = Path.Combine(dataDir, $"corpus-v{Version}-{bytes}.txt");
        if (File.Exists(path) && new FileInfo(path).Length == bytes) return path;
        string tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            Write(f, bytes);
        File.Move(tmp, path, overwrite: true);
        return path;
    }

    static void Write(Stream s, long bytes)
    {
        ulong x = 0x2545F4914F6CDD1Dul;
        ulong Next() { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; }

        var words = new string[1024];
        for (int i = 0; i < words.Length; i++)
        {
            var w = new char[3 + (int)(Next() % 8)];
            for (int k = 0; k < w.Length; k++) w[k] = (char)('a' + (int)(Next() % 26));
            words[i] = new string(w);
        }
        string[] levels = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"];

        var line = new StringBuilder();
        var buf = new byte[1 << 16];
        long written = 0, lineNo = 0;
        while (written < bytes)
        {
            line.Clear();
            lineNo++;
            line.Append(lineNo.ToString("D9")).Append(' ').Append(levels[Next() % (ulong)levels.Length]).Append(' ');
            int n = 4 + (int)(Next() % 12);
            for (int i = 0; i < n; i++)
            {
                // The product of two uniform draws favours low indices: a few words are common, most are rare.
                ulong r = (Next() % 1024) * (Next() % 1024) / 1024;
                line.Append(words[r]).Append(i % 5 == 4 ? $" {Next() % 100000} " : " ");
            }
            line.Append('\n');
            int len = Encoding.ASCII.GetBytes(line.ToString(), buf);
            int take = (int)Math.Min(len, bytes - written);
            s.Write(buf, 0, take);
            written += take;
        }
    }
}
