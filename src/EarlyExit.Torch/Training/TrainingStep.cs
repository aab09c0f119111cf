namespace EarlyExit.Torch.Training;

/// <summary>Where one optimisation step stands in the run, for objectives whose loss changes with time.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Step">t, the 1-based number of this step in the whole run: the first step is 1.</param>
/// <param name="TotalSteps">T, the number of steps of the whole run (every epoch, every stage).</param>
/// <param name="Phase">What this epoch trains (see <see cref="ITrainingObjective.PhaseOf"/>).</param>
public readonly record struct TrainingStep(int Epoch, long Step, long TotalSteps, TrainingPhase Phase = TrainingPhase.AllExits)
{
    /// <summary>t / T, in (0, 1]: 1 at the last step (COSEE eq. 4's ratio of the current step to the total).</summary>
    public double Progress => TotalSteps > 0 ? (double)Step / TotalSteps : 1.0;
}
