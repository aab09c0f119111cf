using System.Collections.Immutable;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Calibration;

/// <summary>
/// Chooses BEEM's thresholds α on a validation set (BEEM paper §3.4): per exit from error rates
/// (eq. 3), or one shared α, the best on validation ("classical").
/// </summary>
/// <remarks>
/// Both take the validation signals as the N × M row-major table that
/// <see cref="Traces.ExitTrace.ComputeSignals"/> returns, and compute S_m with
/// <see cref="BeemPolicy.NextScore"/>, the same formula (and the same floating-point operations)
/// the policy uses at inference, so the chosen thresholds replay exactly.
/// </remarks>
public static class BeemThresholds
{
    /// <summary>
    /// The paper's search set for eq. 3: {0.5, 1, 1.5, …, 5, M} (BEEM paper §3.4, item 2), ascending and
    /// without duplicates (M ≤ 5 is already in it when it is a multiple of 0.5).
    /// </summary>
    /// <param name="exitCount">M ≥ 1 (the paper's L, the number of layers).</param>
    public static ImmutableArray<double> PaperSearchSet(int exitCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exitCount, 1);
        var set = new SortedSet<double>();
        for (int k = 1; k <= 10; k++)
            set.Add(0.5 * k);
        set.Add(exitCount);
        return [.. set];
    }

    /// <summary>
    /// The paper's search set for the "classical" single threshold: {0.3, 0.6, 0.9, 1.2, 1.5}
    /// (BEEM paper §3.4, item 1).
    /// </summary>
    public static ImmutableArray<double> ClassicalPaperSearchSet { get; } = [0.3, 0.6, 0.9, 1.2, 1.5];

    /// <summary>
    /// BEEM eq. 3 with the paper's search set <see cref="PaperSearchSet"/>.
    /// </summary>
    /// <inheritdoc cref="FromErrorRates(ReadOnlySpan{SignalValues}, ReadOnlySpan{int}, int, IReadOnlyList{double}, IReadOnlyList{double}, int)"/>
    public static BeemThresholdFit FromErrorRates(ReadOnlySpan<SignalValues> signals, ReadOnlySpan<int> labels,
        int exitCount, IReadOnlyList<double> weights, int minCount = 1) =>
        FromErrorRates(signals, labels, exitCount, weights, PaperSearchSet(exitCount), minCount);

    /// <summary>
    /// BEEM eq. 3: per exit, the smallest α of the search set whose validation error rate among
    /// the samples stopping there does not exceed the final exit's.
    /// </summary>
    /// <remarks>
    /// <para>p = validation error of the final exit. For m = 1..M−1 in order, with α_1..α_{m−1}
    /// already fixed, take the validation samples that reach exit m (did not leave earlier under
    /// those thresholds). For a candidate α, c_stop(α) = #{reaching, S_m ≥ α} and
    /// q(α) = #{reaching, S_m ≥ α, ŷ_m wrong} / c_stop(α). α_m = the smallest α with
    /// c_stop(α) ≥ <paramref name="minCount"/> and q(α) ≤ p; if none, α_m = +∞.</para>
    /// <para>(our choice, docs/algorithms.md §2) Any grid may replace the paper's, and
    /// <paramref name="minCount"/> (default 1, the paper's rule) guards against choosing α on
    /// a handful of samples. q(α) ≤ p is tested in integers, wrong·N ≤ wrongFinal·c_stop, so no
    /// rounding decides a tie.</para>
    /// <para>Cost: O(M·N log N + M·|grid|·log N).</para>
    /// </remarks>
    /// <param name="signals">Validation signals, N × M row-major [sample][exit].</param>
    /// <param name="labels">N true labels (≥ 0).</param>
    /// <param name="exitCount">M ≥ 1.</param>
    /// <param name="weights">w_1..w_M (see <see cref="BeemWeights"/>).</param>
    /// <param name="searchSet">Candidate α's, any order (duplicates ignored); each ≥ 0, not NaN.</param>
    /// <param name="minCount">Minimum stopping samples for an α to qualify; ≥ 1, default 1.</param>
    /// <returns>α_1..α_M with, per exit, q(α_m) and the stopping and reaching counts.</returns>
    /// <exception cref="ArgumentException">Shapes disagree, a label is negative, a weight or
    /// candidate is out of range, or minCount &lt; 1.</exception>
    public static BeemThresholdFit FromErrorRates(ReadOnlySpan<SignalValues> signals, ReadOnlySpan<int> labels,
        int exitCount, IReadOnlyList<double> weights, IReadOnlyList<double> searchSet, int minCount = 1)
    {
        int n = SignalTable.Validate(signals, labels, exitCount);
        var w = ValidatedWeights(weights, exitCount);
        double[] grid = ValidatedGrid(searchSet);
        if (minCount < 1)
            throw new ArgumentOutOfRangeException(nameof(minCount), minCount, $"minCount must be at least 1; got {minCount}");

        int finalWrong = 0;
        for (int i = 0; i < n; i++)
        {
            if (signals[(i * exitCount) + exitCount - 1].Prediction != labels[i]) finalWrong++;
        }

        var scores = new double[n];          // S_m of every sample, updated exit by exit
        var reaching = new bool[n];          // still in the network at exit m under α_1..α_{m−1}
        Array.Fill(reaching, true);
        var reachScores = new double[n];     // scratch: S_m of the reaching samples, sorted
        var reachWrong = new int[n];         // scratch: 1 if ŷ_m is wrong, aligned with reachScores
        var exits = ImmutableArray.CreateBuilder<BeemExitThreshold>(exitCount);

        for (int m = 0; m < exitCount; m++)
        {
            int reach = 0, reachWrongTotal = 0;
            for (int i = 0; i < n; i++)
            {
                var s = signals[(i * exitCount) + m];
                int previous = m == 0 ? -1 : signals[(i * exitCount) + m - 1].Prediction;
                scores[i] = BeemPolicy.NextScore(scores[i], previous, s.Prediction, w[m], s.MaxProb);
                if (!reaching[i]) continue;
                reachScores[reach] = scores[i];
                int wrong = s.Prediction != labels[i] ? 1 : 0;
                reachWrong[reach++] = wrong;
                reachWrongTotal += wrong;
            }

            if (m == exitCount - 1)
            {
                // The last exit always exits: every reaching sample stops, as with α = 0.
                double q = reach == 0 ? double.NaN : reachWrongTotal / (double)reach;
                exits.Add(new BeemExitThreshold(0, q, reach, reach));
                break;
            }

            var chosen = ChooseThreshold(reachScores.AsSpan(0, reach), reachWrong.AsSpan(0, reach), grid,
                minCount, finalWrong, n);
            exits.Add(chosen with { ReachingCount = reach });
            for (int i = 0; i < n; i++)
            {
                if (reaching[i] && scores[i] >= chosen.Threshold) reaching[i] = false;
            }
        }

        return new BeemThresholdFit(finalWrong / (double)n, w, exits.MoveToImmutable(), minCount);
    }

    /// <summary>
    /// BEEM's "classical" threshold (BEEM paper §3.4, item 1): one α for every exit, the best on the
    /// validation set.
    /// </summary>
    /// <remarks>
    /// The paper picks "the best-performing threshold on the validation set in terms of accuracy".
    /// (our choice) Among the candidates whose speed-up ratio is at least
    /// <paramref name="minSpeedup"/> (default 1: no constraint, the paper's rule), take the highest
    /// validation accuracy; ties go to the larger speed-up, then to the smaller α. Without a target,
    /// accuracy alone usually favours the largest α (little early exit), so a caller that wants
    /// speed states it. If no candidate reaches the target, the fastest one is returned (ties →
    /// higher accuracy) with <see cref="BeemClassicalFit.MeetsSpeedupTarget"/> false.
    /// Each candidate is evaluated by replaying <see cref="BeemPolicy"/> itself.
    /// </remarks>
    /// <param name="signals">Validation signals, N × M row-major [sample][exit].</param>
    /// <param name="labels">N true labels (≥ 0).</param>
    /// <param name="exitCount">M ≥ 1.</param>
    /// <param name="weights">w_1..w_M (see <see cref="BeemWeights"/>).</param>
    /// <param name="searchSet">Candidate α's, any order (duplicates ignored); each ≥ 0, not NaN.
    /// The paper's is <see cref="ClassicalPaperSearchSet"/>.</param>
    /// <param name="minSpeedup">Speed-up ratio target, finite and ≥ 1; default 1 (none).</param>
    /// <exception cref="ArgumentException">Shapes disagree, a label is negative, a weight or
    /// candidate is out of range, or the target is below 1.</exception>
    public static BeemClassicalFit Classical(ReadOnlySpan<SignalValues> signals, ReadOnlySpan<int> labels,
        int exitCount, IReadOnlyList<double> weights, IReadOnlyList<double> searchSet, double minSpeedup = 1)
    {
        int n = SignalTable.Validate(signals, labels, exitCount);
        var w = ValidatedWeights(weights, exitCount);
        double[] grid = ValidatedGrid(searchSet);
        if (!double.IsFinite(minSpeedup) || minSpeedup < 1)
            throw new ArgumentOutOfRangeException(nameof(minSpeedup), minSpeedup,
                $"minSpeedup must be finite and ≥ 1 (1 = no constraint); got {minSpeedup}");

        var candidates = ImmutableArray.CreateBuilder<BeemThresholdCandidate>(grid.Length);
        var layers = new long[grid.Length];
        for (int k = 0; k < grid.Length; k++)
        {
            var policy = new BeemPolicy(BeemPolicy.CostName, w, [grid[k]]);
            int correct = 0;
            long layersRun = 0;
            var exitCounts = new int[exitCount];
            for (int i = 0; i < n; i++)
            {
                var row = signals.Slice(i * exitCount, exitCount);
                int exit = ExitReplay.ExitIndex(policy, row);
                exitCounts[exit]++;
                layersRun += exit + 1;
                if (row[exit].Prediction == labels[i]) correct++;
            }
            layers[k] = layersRun;
            candidates.Add(new BeemThresholdCandidate(grid[k], correct, correct / (double)n,
                SpeedupRatio.FromExitCounts(exitCounts)));
        }

        // Compare counts and layer totals (integers) rather than ratios: ties are exact.
        int best = -1;
        for (int k = 0; k < grid.Length; k++)
        {
            if (candidates[k].SpeedupRatio < minSpeedup) continue;
            if (best < 0 || candidates[k].CorrectCount > candidates[best].CorrectCount
                || (candidates[k].CorrectCount == candidates[best].CorrectCount && layers[k] < layers[best]))
                best = k;
        }
        bool meets = best >= 0;
        if (!meets)
        {
            best = 0;
            for (int k = 1; k < grid.Length; k++)
            {
                if (layers[k] < layers[best]
                    || (layers[k] == layers[best] && candidates[k].CorrectCount > candidates[best].CorrectCount))
                    best = k;
            }
        }

        var all = candidates.MoveToImmutable();
        return new BeemClassicalFit(all[best], meets, minSpeedup, w, all);
    }

    /// <summary>
    /// Eq. 3 at one exit: the smallest α with enough stopping samples and q(α) ≤ p.
    /// <paramref name="scores"/> and <paramref name="wrong"/> are sorted together here.
    /// </summary>
    private static BeemExitThreshold ChooseThreshold(Span<double> scores, Span<int> wrong, double[] grid,
        int minCount, int finalWrong, int sampleCount)
    {
        scores.Sort(wrong); // ascending S_m
        int count = scores.Length;
        // wrongFromHere[j] = Σ_{i ≥ j} wrong[i]: the wrong among those with S_m ≥ scores[j].
        var wrongFromHere = new int[count + 1];
        for (int j = count - 1; j >= 0; j--)
            wrongFromHere[j] = wrongFromHere[j + 1] + wrong[j];

        foreach (double alpha in grid) // ascending: the first that qualifies is the smallest
        {
            int first = LowerBound(scores, alpha); // first index with S_m ≥ α
            int stop = count - first;
            int wrongStop = wrongFromHere[first];
            // q(α) ≤ p  ⇔  wrongStop / stop ≤ finalWrong / N  ⇔  wrongStop·N ≤ finalWrong·stop.
            if (stop >= minCount && (long)wrongStop * sampleCount <= (long)finalWrong * stop)
                return new BeemExitThreshold(alpha, wrongStop / (double)stop, stop, count);
        }
        return new BeemExitThreshold(double.PositiveInfinity, double.NaN, 0, count);
    }

    private static int LowerBound(ReadOnlySpan<double> sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static ImmutableArray<double> ValidatedWeights(IReadOnlyList<double> weights, int exitCount)
    {
        // The policy's constructor and Validate hold the rules for weights; reuse them.
        var probe = new BeemPolicy(BeemPolicy.CostName, weights, [double.PositiveInfinity]);
        probe.Validate(exitCount);
        return probe.Weights;
    }

    private static double[] ValidatedGrid(IReadOnlyList<double> searchSet)
    {
        ArgumentNullException.ThrowIfNull(searchSet);
        if (searchSet.Count == 0)
            throw new ArgumentException("the threshold search set is empty; give at least one α", nameof(searchSet));
        for (int k = 0; k < searchSet.Count; k++)
        {
            double a = searchSet[k];
            if (double.IsNaN(a) || a < 0)
                throw new ArgumentOutOfRangeException(nameof(searchSet), a, $"searchSet[{k}] must be ≥ 0; got {a}");
        }
        return [.. searchSet.Distinct().Order()];
    }
}
