using static TorchSharp.torch;

namespace EarlyExit.Cli.Models;

/// <summary>Applies <c>--threads</c> and <c>--seed</c> to libtorch before a command uses it.</summary>
public static class TorchSetup
{
    /// <summary>Sets torch's intra-op threads and seeds its global generator.</summary>
    /// <param name="threads">Threads, 1 to <see cref="MaxThreads"/>.</param>
    /// <param name="seed">Seed of torch's generator (exit-head initialisation, dropout).</param>
    /// <exception cref="CliException"><paramref name="threads"/> is below 1 or above <see cref="MaxThreads"/>.</exception>
    public static void Apply(int threads, int seed)
    {
        CheckThreads("--threads", threads, minimum: 1);
        set_num_threads(threads);
        manual_seed(seed);
    }

    /// <summary>
    /// The most threads <c>--threads</c> and <c>--onnx-threads</c> accept: 4 × the logical cores.
    /// More only adds contention, and a mistyped count (100000) would start thousands of threads
    /// that never answer; 4 × leaves room to oversubscribe on purpose.
    /// </summary>
    public static int MaxThreads => 4 * Environment.ProcessorCount;

    /// <summary>Refuses a thread count outside <paramref name="minimum"/>..<see cref="MaxThreads"/>, naming the option.</summary>
    /// <param name="option">The option, for the message.</param>
    /// <param name="threads">Its value.</param>
    /// <param name="minimum">The smallest value it accepts.</param>
    /// <param name="note">What the minimum means, if anything, e.g. " (0 = ONNX Runtime's choice)".</param>
    /// <exception cref="CliException">The count is out of range.</exception>
    public static void CheckThreads(string option, int threads, int minimum, string note = "")
    {
        if (threads < minimum) throw new CliException($"{option} must be at least {minimum}{note}; got {threads}");
        if (threads > MaxThreads)
            throw new CliException($"{option} must be at most {MaxThreads} (4 × this machine's {Environment.ProcessorCount} cores); got {threads}");
    }
}
