namespace UserEmu.Tests.Fuzz;

/// <summary>Fuzz run length: brief by default (CI), long on demand with USEREMU_FUZZ_ITERATIONS and a chosen USEREMU_FUZZ_SEED.</summary>
static class FuzzSettings
{
    public static int Iterations(int brief) =>
        int.TryParse(Environment.GetEnvironmentVariable("USEREMU_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : brief;

    /// <summary>USEREMU_FUZZ_LOG: file that holds the input being tried, for finding what crashed the host.</summary>
    public static string? LogPath => Environment.GetEnvironmentVariable("USEREMU_FUZZ_LOG");

    public static int? Only => int.TryParse(Environment.GetEnvironmentVariable("USEREMU_FUZZ_ONLY"), out int n) ? n : null;

    public static int Seed(int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable("USEREMU_FUZZ_SEED"), out int s) ? s : fallback;
}
