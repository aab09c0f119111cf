using System.Collections.Immutable;

namespace EarlyExit.Core.Evaluation;

/// <summary>
/// What one policy does on one exit trace (docs/algorithms.md §4): where the samples leave, what that
/// costs and how accurate they are. Built by <see cref="TraceEvaluator.Evaluate"/>.
/// </summary>
/// <param name="PolicyName">The policy's <see cref="Policies.ExitPolicy.Name"/>.</param>
/// <param name="Parameter">The policy's <see cref="Policies.ExitPolicy.Parameter"/> (NaN when it has none).</param>
/// <param name="IsDeployable">False for an oracle (a bound, not a usable policy).</param>
/// <param name="Accuracy">Accuracy of the exited predictions, in [0, 1] (<see cref="Evaluation.Accuracy"/>).</param>
/// <param name="MacroF1">Macro-F1 of the exited predictions, in [0, 1] (<see cref="Evaluation.MacroF1"/>).</param>
/// <param name="ExitCounts">N_m: samples leaving at each 0-based exit, length M.</param>
/// <param name="SpeedupRatio">Layer speed-up, in [1, M] (<see cref="Evaluation.SpeedupRatio"/>).</param>
/// <param name="ExpectedCompute">Mean fraction of the full model's FLOPs run (<see cref="Evaluation.ExpectedCompute"/>).</param>
/// <param name="DecisionRates">Premature and delayed exit counts and rates (<see cref="ExitDecisionRates"/>).</param>
/// <param name="ExitIndices">Each sample's 0-based exit, length N; empty when a sweep did not keep
/// per-sample detail (<see cref="HasPerSampleDetail"/>).</param>
/// <param name="Predictions">Each sample's prediction at its exit, length N; empty like <paramref name="ExitIndices"/>.</param>
/// <remarks>Record equality compares the arrays by reference; compare their contents to compare two evaluations.</remarks>
public sealed record PolicyEvaluation(
    string PolicyName,
    double Parameter,
    bool IsDeployable,
    double Accuracy,
    double MacroF1,
    ImmutableArray<int> ExitCounts,
    double SpeedupRatio,
    double ExpectedCompute,
    ExitDecisionRates DecisionRates,
    ImmutableArray<int> ExitIndices,
    ImmutableArray<int> Predictions)
{
    /// <summary>
    /// Agreement of the exited predictions with the final exit's (docs/algorithms.md §4.8), in [0, 1];
    /// NaN when not measured.
    /// </summary>
    public double Agreement { get; init; } = double.NaN;

    /// <summary>
    /// Answers lost to exiting early: samples the final exit gets right and the exited prediction
    /// gets wrong; −1 when not measured. The accuracy gap's risk control tests it (docs/algorithms.md §5.2).
    /// </summary>
    public int LostCount { get; init; } = -1;

    /// <summary>N, the number of samples evaluated (Σ_m N_m).</summary>
    public int SampleCount => ExitCounts.Sum();

    /// <summary>True when <see cref="ExitIndices"/> and <see cref="Predictions"/> hold one entry per sample.</summary>
    public bool HasPerSampleDetail => !ExitIndices.IsDefaultOrEmpty;

    /// <summary>M, the number of exits.</summary>
    public int ExitCount => ExitCounts.Length;

    /// <summary>Premature exit rate in [0, 1], NaN without wrong decision points (<see cref="ExitDecisionRates.PrematureRate"/>).</summary>
    public double PrematureExitRate => DecisionRates.PrematureRate;

    /// <summary>Delayed exit rate in [0, 1], NaN without right decision points (<see cref="ExitDecisionRates.DelayedRate"/>).</summary>
    public double DelayedExitRate => DecisionRates.DelayedRate;

    /// <summary>Mean layers executed per sample, Σ_m m·N_m / N with 1-based m; equals M / <see cref="SpeedupRatio"/>.</summary>
    public double MeanLayersExecuted => ExitCount / SpeedupRatio;
}
