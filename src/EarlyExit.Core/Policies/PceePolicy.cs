using System.Collections.Immutable;
using EarlyExit.Core.Calibration;

namespace EarlyExit.Core.Policies;

/// <summary>
/// PCEE, performance-control early exiting (the PCEE paper): exit at the first exit m whose reliability
/// diagram says samples as confident as this one were right at least a fraction δ of the time,
/// RD_m(C_m) ≥ δ.
/// </summary>
/// <remarks>
/// <para>C_m is the max-prob confidence; RD_m is exit m's <see cref="ReliabilityDiagram"/>, built
/// on a held-out calibration set (<see cref="ReliabilityDiagrams.Build"/>). One δ serves every
/// exit: it is a target accuracy, not a confidence.</para>
/// <para>A confidence whose bin and every lower bin are empty maps to NaN, and NaN ≥ δ is false:
/// the sample does not exit there (the empty-bin rule, docs/algorithms.md §2).</para>
/// <para>PCEE-WS (<see cref="WithSmoothing"/>) uses diagrams smoothed by
/// <see cref="ReliabilityDiagram.Smooth"/> (our choice of kernel; see there).</para>
/// </remarks>
public sealed record PceePolicy : ExitPolicy
{
    /// <summary>Name of PCEE with plain diagrams.</summary>
    public const string PlainName = "pcee";

    /// <summary>Name of PCEE-WS, with smoothed diagrams.</summary>
    public const string SmoothedName = "pcee-ws";

    /// <summary>Name of PCEE with bounds: each bin scored by its Clopper–Pearson lower bound (docs/algorithms.md §5).</summary>
    public const string BoundedName = "pcee-cp";

    /// <summary>The three PCEE names, whose parameter is δ.</summary>
    public static IReadOnlyList<string> Names { get; } = [PlainName, SmoothedName, BoundedName];

    /// <summary>True for "pcee", "pcee-ws" and "pcee-cp" (any case).</summary>
    public static bool IsPceeName(string? name) =>
        name is not null && Names.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Creates PCEE over the given per-exit diagrams.</summary>
    /// <param name="diagrams">RD_1..RD_M, one per exit. If they are smoothed
    /// (<see cref="ReliabilityDiagram.SmoothingHalfWidth"/> &gt; 0), the policy is PCEE-WS;
    /// all must then share the same half-width.</param>
    /// <param name="delta">δ, the target accuracy, in [0, 1].</param>
    /// <exception cref="ArgumentException">No diagrams, a null one, mixed smoothing, or δ
    /// outside [0, 1] (the message names the value).</exception>
    public PceePolicy(IReadOnlyList<ReliabilityDiagram> diagrams, double delta)
    {
        ArgumentNullException.ThrowIfNull(diagrams);
        if (diagrams.Count == 0)
            throw new ArgumentException("PCEE needs one reliability diagram per exit; got 0", nameof(diagrams));
        if (!(delta >= 0 && delta <= 1)) // also rejects NaN
            throw new ArgumentOutOfRangeException(nameof(delta), delta, $"delta must be in [0, 1]; got {delta}");
        for (int m = 0; m < diagrams.Count; m++)
        {
            if (diagrams[m] is null)
                throw new ArgumentException($"diagrams[{m}] is null", nameof(diagrams));
            if (diagrams[m].BoundLevel != diagrams[0].BoundLevel)
                throw new ArgumentException(
                    $"diagrams[{m}] is bounded at γ = {diagrams[m].BoundLevel} but diagrams[0] at {diagrams[0].BoundLevel}; all exits must match",
                    nameof(diagrams));
            if (diagrams[m].SmoothingHalfWidth != diagrams[0].SmoothingHalfWidth)
                throw new ArgumentException(
                    $"diagrams[{m}] is smoothed with half-width {diagrams[m].SmoothingHalfWidth} but diagrams[0] with {diagrams[0].SmoothingHalfWidth}; all exits must match",
                    nameof(diagrams));
        }
        Diagrams = [.. diagrams];
        Delta = delta;
    }

    /// <summary>
    /// PCEE-WS: smooths plain diagrams with half-width <paramref name="halfWidth"/> and builds the
    /// policy.
    /// </summary>
    /// <param name="diagrams">Plain per-exit diagrams (smoothing restarts from their raw counts).</param>
    /// <param name="delta">δ in [0, 1].</param>
    /// <param name="halfWidth">h ≥ 1 bins (0 would be plain PCEE).</param>
    /// <exception cref="ArgumentException">As the constructor, or h &lt; 1.</exception>
    public static PceePolicy WithSmoothing(IReadOnlyList<ReliabilityDiagram> diagrams, double delta, int halfWidth)
    {
        if (halfWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(halfWidth), halfWidth,
                $"halfWidth must be at least 1 bin for PCEE-WS (0 is plain PCEE); got {halfWidth}");
        return new PceePolicy(ReliabilityDiagrams.Smooth(diagrams, halfWidth), delta);
    }

    /// <summary>
    /// PCEE with bounds: every bin's accuracy replaced by its one-sided Clopper–Pearson lower bound
    /// at level 1 − <paramref name="gamma"/> (<see cref="ReliabilityDiagram.LowerBounds"/>).
    /// </summary>
    /// <param name="diagrams">Plain per-exit diagrams.</param>
    /// <param name="delta">δ in [0, 1].</param>
    /// <param name="gamma">γ in (0, 1).</param>
    public static PceePolicy WithLowerBounds(IReadOnlyList<ReliabilityDiagram> diagrams, double delta, double gamma = ReliabilityDiagram.DefaultBoundLevel)
    {
        ArgumentNullException.ThrowIfNull(diagrams);
        return new PceePolicy([.. diagrams.Select(d => d.LowerBounds(gamma))], delta);
    }

    /// <summary>RD_1..RD_M, one per exit.</summary>
    public ImmutableArray<ReliabilityDiagram> Diagrams { get; }

    /// <summary>δ, the target accuracy in [0, 1].</summary>
    public double Delta { get; }

    /// <summary>0 for PCEE; the kernel half-width h for PCEE-WS.</summary>
    public int SmoothingHalfWidth => Diagrams[0].SmoothingHalfWidth;

    /// <inheritdoc/>
    public override string Name => Diagrams[0].BoundLevel > 0 ? BoundedName : SmoothingHalfWidth > 0 ? SmoothedName : PlainName;

    /// <summary>δ.</summary>
    public override double Parameter => Delta;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The diagrams are not one per exit.</exception>
    public override void Validate(int exitCount)
    {
        base.Validate(exitCount);
        if (Diagrams.Length != exitCount)
            throw new ArgumentException(
                $"PCEE has {Diagrams.Length} reliability diagrams; the model has {exitCount} exits and needs one per exit",
                nameof(exitCount));
    }

    /// <inheritdoc/>
    protected override bool Decide(in ExitObservation observation, ref ExitState state) =>
        Diagrams[observation.ExitIndex].Accuracy(observation.Signals.MaxProb) >= Delta; // NaN: do not exit
}
