namespace EarlyExit.Core.Evaluation;

/// <summary>What <see cref="PolicySolver"/> must reach on the calibration trace.</summary>
public enum SolverTarget
{
    /// <summary>Speed-up ratio ≥ the target; among those, the best accuracy.</summary>
    Speedup,

    /// <summary>Accuracy ≥ the target; among those, the best speed-up ratio.</summary>
    Accuracy,

    /// <summary>Agreement with the final exit ≥ the target (docs/algorithms.md §4.8); among those, the best speed-up ratio.</summary>
    Agreement,
}
