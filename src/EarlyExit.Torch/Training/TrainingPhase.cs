namespace EarlyExit.Torch.Training;

/// <summary>
/// Which parameters an epoch trains and which exits its loss covers. Every objective but
/// two-stage trains in <see cref="AllExits"/> throughout.
/// </summary>
public enum TrainingPhase
{
    /// <summary>Backbone and every exit head train together (joint, BEEM, COSEE).</summary>
    AllExits,

    /// <summary>DeeBERT stage 1: the backbone and the final exit's head; the internal heads are frozen.</summary>
    FinalExit,

    /// <summary>DeeBERT stage 2: the internal exit heads only; the backbone and the final head are frozen.</summary>
    InternalExits,
}
