namespace EarlyExit.Cli.Evaluation;

/// <summary>
/// PCEE's control of accuracy at one target (docs/algorithms.md §4, control error): what PCEE, PCEE-WS and
/// the max-prob threshold set to the same number realise on the reported split. A confidence
/// threshold τ = δ is the naive reading of "exit when the model is δ sure"; PCEE's point is that
/// it overshoots or undershoots δ while PCEE's diagrams track it.
/// </summary>
/// <param name="Delta">The target δ (and τ).</param>
/// <param name="Pcee">PCEE at δ: realised accuracy and average FLOPs.</param>
/// <param name="PceeWs">PCEE-WS at δ.</param>
/// <param name="MaxProb">The max-prob threshold τ = δ.</param>
public sealed record DeltaControl(double Delta, ComparisonPoint Pcee, ComparisonPoint PceeWs, ComparisonPoint MaxProb);
