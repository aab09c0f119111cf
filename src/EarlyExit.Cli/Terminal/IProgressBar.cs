namespace EarlyExit.Cli.Terminal;

/// <summary>One task's bar: how far it is, out of the total it was started with.</summary>
public interface IProgressBar
{
    /// <summary>Moves the bar to <paramref name="value"/> and, when given, replaces the detail text beside it.</summary>
    /// <param name="value">Done so far, in the units of the total (steps, samples).</param>
    /// <param name="detail">A short status such as "loss 0.31", or null to keep the current one.</param>
    void Report(double value, string? detail = null);
}
