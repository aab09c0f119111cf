namespace EarlyExit.Cli.Evaluation;

/// <summary>How the parameter of an <see cref="EvaluationRow"/> was chosen.</summary>
public enum RowSelection
{
    /// <summary>The parameter reaching a target speed-up on validation with the best validation accuracy (<see cref="Core.Evaluation.PolicySolver.ForSpeedup"/>).</summary>
    Speedup,

    /// <summary>PCEE's δ, a target accuracy, taken from a fixed grid (the policy itself uses validation, through its diagrams).</summary>
    Delta,

    /// <summary>The parameter with agreement with the final exit ≥ the target on validation and the best validation speed-up (<see cref="Core.Evaluation.SolverTarget.Agreement"/>).</summary>
    Agreement,

    /// <summary>PCEE's δ from the same grid, on a calibration fitted on agreement with the final exit (docs/algorithms.md §4.8): a target agreement.</summary>
    AgreementDelta,

    /// <summary>The parameter with validation accuracy within <see cref="PolicyBenchmark.AccuracyMargin"/> of the final exit's and the best validation speed-up.</summary>
    AccuracyWithin,

    /// <summary>BEEM's per-exit thresholds from validation error rates (BEEM paper eq. 3), stored by calibrate.</summary>
    ErrorRateThresholds,

    /// <summary>BEEM's "classical" rule (BEEM paper §3.4, item 1): one α for every exit, the most accurate on validation of {0.3, 0.6, …, 1.5}.</summary>
    ClassicalAlpha,

    /// <summary>BEEM-C's cost λ swept with the eq. 3 thresholds held fixed (BEEM paper, appendix A.3); the row's target is λ.</summary>
    LambdaSweep,

    /// <summary>Static truncation after k layers, every k.</summary>
    Layers,

    /// <summary>An oracle: a bound that uses each sample's final prediction or label, not a usable policy.</summary>
    Bound,
}
