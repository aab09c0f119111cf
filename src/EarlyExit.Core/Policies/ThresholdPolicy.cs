using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Policies;

/// <summary>
/// Exit at the first exit where one signal passes its threshold τ (docs/algorithms.md §2: DeeBERT,
/// ElasticBERT, FastBERT, COSEE). τ is one value for every exit or one value per exit.
/// </summary>
/// <remarks>
/// <para>The rule per signal (docs/algorithms.md §1):</para>
/// <list type="table">
/// <item><term><see cref="ExitSignal.MaxProb"/></term><description>exit when C_m ≥ τ, τ ∈ [0, 1].</description></item>
/// <item><term><see cref="ExitSignal.Entropy"/></term><description>exit when H ≤ τ, τ ≥ 0 (nats; +∞ always exits).</description></item>
/// <item><term><see cref="ExitSignal.NormalizedEntropy"/></term><description>exit when H / log C ≤ τ, τ ∈ [0, 1].</description></item>
/// <item><term><see cref="ExitSignal.Energy"/></term><description>exit when E ≤ τ, any τ (±∞ included).
/// docs/algorithms.md §1 gives no direction for raw energy; <b>(our choice)</b> lower energy means surer,
/// as for the other uncertainties: E = −logsumexp(z) falls as the logits grow, and σ(E), which
/// COSEE eq. 11 thresholds from below, is increasing in E.</description></item>
/// <item><term><see cref="ExitSignal.NormalizedEnergy"/></term><description>exit when σ(E) &lt; τ, strict
/// (COSEE eq. 11), τ ∈ [0, 1]; τ = 0 never exits early.</description></item>
/// </list>
/// <para>Signals are stored in single precision (<see cref="SignalValues"/>), so each τ is
/// rounded once to the nearest <see cref="float"/> and compared in single precision: a signal
/// equal to the rounded τ counts as equal. Rounding is monotone, so a stricter τ is never less
/// strict after it.</para>
/// <para>A per-exit array may have length 1 (the same as one τ), M − 1 (no τ for the last exit,
/// which always exits) or M (the last τ is then ignored); <see cref="Validate"/> checks it
/// against the model.</para>
/// </remarks>
public sealed record ThresholdPolicy : ExitPolicy
{
    // τ per exit in the precision of the signals; length 1 for a single τ. Decide reads only this.
    private readonly float[] _tau;

    /// <summary>Creates the policy with one threshold τ for every exit.</summary>
    /// <param name="signal">The signal to threshold.</param>
    /// <param name="threshold">τ; its valid range depends on <paramref name="signal"/> (see remarks).</param>
    /// <exception cref="ArgumentOutOfRangeException">An undefined signal, or τ is NaN or out of the signal's range.</exception>
    public ThresholdPolicy(ExitSignal signal, double threshold)
        : this(signal, ImmutableArray.Create(threshold))
    {
    }

    /// <summary>Creates the policy with one threshold per exit.</summary>
    /// <param name="signal">The signal to threshold.</param>
    /// <param name="thresholds">τ_1..τ_M (or τ_1..τ_{M−1}, or one τ); each in the signal's range (see remarks). Entry m is used at 0-based exit m.</param>
    /// <exception cref="ArgumentException"><paramref name="thresholds"/> is default or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An undefined signal, or a τ is NaN or out of the signal's range.</exception>
    public ThresholdPolicy(ExitSignal signal, ImmutableArray<double> thresholds)
    {
        if (!Enum.IsDefined(signal))
            throw new ArgumentOutOfRangeException(nameof(signal), signal, $"signal must be one of {string.Join(", ", Enum.GetNames<ExitSignal>())}; got {signal}");
        if (thresholds.IsDefaultOrEmpty)
            throw new ArgumentException("thresholds must hold at least one value; got none", nameof(thresholds));

        _tau = new float[thresholds.Length];
        for (int m = 0; m < thresholds.Length; m++)
        {
            CheckThreshold(signal, thresholds[m], thresholds.Length == 1 ? "threshold" : $"thresholds[{m}]");
            _tau[m] = (float)thresholds[m];
        }
        Signal = signal;
        Thresholds = thresholds;
    }

    /// <summary>The signal thresholded.</summary>
    public ExitSignal Signal { get; }

    /// <summary>τ per exit (entry m for 0-based exit m); length 1 when one τ serves every exit.</summary>
    public ImmutableArray<double> Thresholds { get; }

    /// <summary>True when τ differs per exit (<see cref="Thresholds"/> has more than one entry).</summary>
    public bool IsPerExit => Thresholds.Length > 1;

    /// <summary>The single τ, or NaN when τ is per exit.</summary>
    public double Threshold => IsPerExit ? double.NaN : Thresholds[0];

    /// <summary>"max-prob", "entropy", "normalized-entropy", "energy" or "normalized-energy".</summary>
    public override string Name => NameOf(Signal);

    /// <summary>The single τ; NaN when τ is per exit.</summary>
    public override double Parameter => Threshold;

    /// <summary>The report and command-line name of a thresholded signal, e.g. "max-prob".</summary>
    /// <exception cref="ArgumentOutOfRangeException">An undefined signal.</exception>
    public static string NameOf(ExitSignal signal) => signal switch
    {
        ExitSignal.MaxProb => "max-prob",
        ExitSignal.Entropy => "entropy",
        ExitSignal.NormalizedEntropy => "normalized-entropy",
        ExitSignal.Energy => "energy",
        ExitSignal.NormalizedEnergy => "normalized-energy",
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, $"unknown exit signal {signal}"),
    };

    /// <summary>Checks that a per-exit τ array has length 1, M − 1 or M.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exitCount"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The per-exit array does not fit <paramref name="exitCount"/> exits.</exception>
    public override void Validate(int exitCount)
    {
        base.Validate(exitCount);
        int n = Thresholds.Length;
        if (n != 1 && n != exitCount - 1 && n != exitCount)
        {
            string allowed = exitCount switch
            {
                1 => "1 entry for a model with 1 exit",
                2 => "1 or 2 entries for a model with 2 exits",
                _ => $"1, {exitCount - 1} or {exitCount} entries for a model with {exitCount} exits",
            };
            throw new ArgumentException($"thresholds must have {allowed}; got {n}", nameof(exitCount));
        }
    }

    /// <inheritdoc/>
    protected override bool Decide(in ExitObservation observation, ref ExitState state)
    {
        float[] tau = _tau;
        int m = observation.ExitIndex;
        float t;
        if (tau.Length == 1)
            t = tau[0];
        else if ((uint)m < (uint)tau.Length)
            t = tau[m];
        else if (observation.IsLast)
            return true; // an M − 1 array has no τ for the last exit, which always exits
        else
            return ThrowTooFewThresholds(observation);

        return Signal switch
        {
            ExitSignal.MaxProb => observation.Signals.MaxProb >= t,
            ExitSignal.Entropy => observation.Signals.Entropy <= t,
            ExitSignal.NormalizedEntropy => observation.Signals.NormalizedEntropy <= t,
            ExitSignal.Energy => observation.Signals.Energy <= t, // (our choice) lower energy = surer; see remarks
            ExitSignal.NormalizedEnergy => observation.Signals.NormalizedEnergy < t, // strict, COSEE eq. 11
            _ => false, // unreachable: the constructor rejects undefined signals
        };
    }

    /// <summary>Value equality: same signal and the same τ sequence.</summary>
    public bool Equals(ThresholdPolicy? other) =>
        other is not null && Signal == other.Signal && Thresholds.AsSpan().SequenceEqual(other.Thresholds.AsSpan());

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Signal);
        foreach (double t in Thresholds)
            hash.Add(t);
        return hash.ToHashCode();
    }

    /// <summary>Prints the name and τ, e.g. "Name = max-prob, Threshold = 0.9" (the τ array in full when per exit).</summary>
    protected override bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name).Append(", ");
        if (IsPerExit)
            builder.Append("Thresholds = [").AppendJoin(", ", Thresholds.Select(t => t.ToString(CultureInfo.InvariantCulture))).Append(']');
        else
            builder.Append("Threshold = ").Append(Threshold.ToString(CultureInfo.InvariantCulture));
        return true;
    }

    private static void CheckThreshold(ExitSignal signal, double tau, string argument)
    {
        string name = NameOf(signal);
        if (double.IsNaN(tau))
            throw new ArgumentOutOfRangeException(argument, tau, $"{argument} of the {name} policy must be a number; got NaN");
        switch (signal)
        {
            case ExitSignal.MaxProb or ExitSignal.NormalizedEntropy or ExitSignal.NormalizedEnergy when tau is < 0 or > 1:
                throw new ArgumentOutOfRangeException(argument, tau,
                    $"{argument} of the {name} policy must be between 0 and 1; got {tau.ToString(CultureInfo.InvariantCulture)}");
            case ExitSignal.Entropy when tau < 0:
                throw new ArgumentOutOfRangeException(argument, tau,
                    $"{argument} of the entropy policy must be at least 0 (entropy is never negative); got {tau.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private bool ThrowTooFewThresholds(in ExitObservation observation) =>
        throw new InvalidOperationException(
            $"the {Name} policy has {Thresholds.Length} thresholds but was asked at exit {observation.ExitIndex} of {observation.ExitCount}; call Validate({observation.ExitCount}) first");
}
