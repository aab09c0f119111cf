using EarlyExit.Core.Calibration;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Tests.TestDoubles;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EarlyExit.Core.Tests.Evaluation;

/// <summary>Agreement with the final exit (docs/algorithms.md §4.8) and PCEE calibrated on it, on the hand trace.</summary>
public sealed class AgreementTests
{
    // HandTraces.FourSamples: labels (0, 1, 0, 1); predictions by exit
    //   exit 0: (0, 0, 1, 0)   exit 1: (0, 1, 0, 0)   exit 2 (final): (0, 1, 0, 0)
    // max-probs: s0 (.75, .9, .9), s1 (.9, .75, .9), s2 (.75, .75, .9), s3 (.75, .75, .9).
    private static readonly TraceEvaluator Hand = new(HandTraces.FourSamples());

    [Fact]
    public void Each_exits_agreement_counts_answers_equal_to_the_final_exits()
    {
        // exit 0 agrees on s0 and s3 (s1: 0 vs 1, s2: 1 vs 0) → 2/4; exits 1 and 2 answer as the final one → 1.
        Assert.Equal(new[] { 0.5, 1.0, 1.0 }, Hand.ExitAgreements.ToArray());
        Assert.Equal([0, 1, 0, 0], Hand.FinalPredictions.ToArray());
        // Against the labels the same exits score 1/4, 3/4, 3/4: agreement is not accuracy.
        Assert.Equal(new[] { 0.25, 0.75, 0.75 }, Hand.ExitAccuracies.ToArray());
    }

    [Fact]
    public void A_policys_agreement_counts_its_answers_equal_to_the_final_exits()
    {
        // max-prob τ = 0.8 answers (0, 0, 0, 0) (see TraceEvaluatorTests); the finals are (0, 1, 0, 0): 3 of 4 agree,
        // while only 2 of 4 are right.
        PolicyEvaluation e = Hand.Evaluate(new MaxProbAtLeastPolicy(0.8));
        Assert.Equal(0.75, e.Agreement, 12);
        Assert.Equal(0.5, e.Accuracy, 12);
        Assert.Equal(1.0, Hand.Evaluate(new StaticExitPolicy(3)).Agreement, 12); // the full model agrees with itself
    }

    [Property(MaxTest = 60)]
    public Property Agreement_is_a_fraction_and_the_final_exit_and_the_full_model_agree_fully()
    {
        var traces = Gen.Choose(1, 40).SelectMany(n => Gen.Choose(1, 5).SelectMany(m => Gen.Choose(2, 4).SelectMany(c =>
            Gen.Choose(0, 10_000).Select(seed => HandTraces.Random(n, m, c, seed))))).ToArbitrary();
        return Prop.ForAll(traces, trace =>
        {
            var evaluator = new TraceEvaluator(trace);
            double maxProb = evaluator.Evaluate(new MaxProbAtLeastPolicy(0.6)).Agreement;
            return evaluator.ExitAgreements[^1] == 1.0
                && evaluator.Evaluate(new StaticExitPolicy(trace.ExitCount)).Agreement == 1.0
                && evaluator.ExitAgreements.All(a => a >= 0 && a <= 1)
                && maxProb >= 0 && maxProb <= 1;
        });
    }

    [Fact]
    public void Pcee_on_agreement_bins_hits_against_the_final_exit_instead_of_the_label()
    {
        ExitCalibration correctness = ExitCalibration.Fit(Hand);
        ExitCalibration agreement = ExitCalibration.Fit(Hand, target: PceeTarget.Agreement);

        // Exit 0, 10 bins: s0, s2, s3 at .75 (bin 7), s1 at .9 (bin 9).
        //   labels:  s0 right, s2 and s3 wrong → bin 7 has 1 of 3; s1 wrong → bin 9 has 0 of 1.
        //   finals:  s0 and s3 agree, s2 not → bin 7 has 2 of 3; s1 disagrees → bin 9 has 0 of 1.
        Assert.Equal(1, correctness.Diagrams[0].CorrectCounts[7]);
        Assert.Equal(2, agreement.Diagrams[0].CorrectCounts[7]);
        Assert.Equal(3, agreement.Diagrams[0].Counts[7]);
        Assert.Equal(0, agreement.Diagrams[0].CorrectCounts[9]);
        // Exit 1: every answer is the final one's → bin 7 (s1, s2, s3) 3 of 3, bin 9 (s0) 1 of 1; on labels s3 is wrong: 2 of 3.
        Assert.Equal(3, agreement.Diagrams[1].CorrectCounts[7]);
        Assert.Equal(2, correctness.Diagrams[1].CorrectCounts[7]);
        // The final exit's diagram on agreement is all hits.
        Assert.All(Enumerable.Range(0, 10), b => Assert.Equal(agreement.Diagrams[2].Counts[b], agreement.Diagrams[2].CorrectCounts[b]));

        Assert.Equal(PceeTarget.Correctness, correctness.Target);
        Assert.Equal(PceeTarget.Agreement, agreement.Target);
        Assert.Equal(0.99, agreement.DefaultPolicy.Parameter); // δ = 0.99: the full model's answer with probability 0.99
        Assert.Equal(0.75, correctness.DefaultPolicy.Parameter); // floor(final exit accuracy 0.75, 2 places)
    }

    [Fact]
    public void The_target_round_trips_through_json_and_an_older_calibration_reads_as_correctness()
    {
        ExitCalibration agreement = ExitCalibration.Fit(Hand, target: PceeTarget.Agreement);
        var json = ExitCalibrationJson.ToJsonObject(agreement);
        Assert.Equal("agreement", (string)json["pcee_target"]!);
        Assert.Equal(PceeTarget.Agreement, ExitCalibrationJson.FromJsonObject(json, "test").Target);

        var old = ExitCalibrationJson.ToJsonObject(ExitCalibration.Fit(Hand));
        Assert.False(old.ContainsKey("pcee_target")); // written as before for the default
        Assert.Equal(PceeTarget.Correctness, ExitCalibrationJson.FromJsonObject(old, "test").Target);

        json["pcee_target"] = "labels";
        Assert.Contains("field 'pcee_target' must be one of correctness, agreement; got 'labels'",
            Assert.Throws<InvalidDataException>(() => ExitCalibrationJson.FromJsonObject(json, "test")).Message);
    }

    [Fact]
    public void The_control_error_of_an_agreement_target_is_checked_against_agreement()
    {
        TradeoffCurve curve = Hand.Sweep(d => new MaxProbAtLeastPolicy(d), [0.8]);
        Assert.Equal(0.5, ControlError.ForCurve(curve)[0].Realised, 12);                     // accuracy
        Assert.Equal(0.75, ControlError.ForCurve(curve, onAgreement: true)[0].Realised, 12); // agreement
    }
}
