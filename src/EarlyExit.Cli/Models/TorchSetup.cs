using static TorchSharp.torch;

namespace EarlyExit.Cli.Models;

/// <summary>Applies <c>--threads</c> and <c>--seed</c> to libtorch before a command uses it.</summary>
public static class TorchSetup
{
    /// <summary>Sets torch's intra-op threads and seeds its global generator.</summary>
    /// <param name="threads">Threads, ≥ 1.</param>
    /// <param name="seed">Seed of torch's generator (exit-head initialisation, dropout).</param>
    /// <exception cref="CliException"><paramref name="threads"/> is below 1.</exception>
    public static void Apply(int threads, int seed)
    {
        if (threads < 1) throw new CliException($"--threads must be at least 1; got {threads}");
        set_num_threads(threads);
        manual_seed(seed);
    }
}
