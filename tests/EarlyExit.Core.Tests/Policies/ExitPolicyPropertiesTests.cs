using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static EarlyExit.Core.Tests.Policies.PolicyTestKit;

namespace EarlyExit.Core.Tests.Policies;

/// <summary>Properties every baseline policy must have, on synthetic random samples.</summary>
public class ExitPolicyPropertiesTests
{
    private static readonly Gen<ExitSample> Samples = ExitSampleGenerators.Samples;

    [Property(MaxTest = 500)]
    public Property EveryPolicyExitsAtOrBeforeTheLastExit() => Prop.ForAll(
        Arb.From(from sample in Samples
                 from policy in ExitSampleGenerators.Policies(sample.ExitCount)
                 select (sample, policy)),
        t =>
        {
            t.policy.Validate(t.sample.ExitCount);
            int exit = FirstExit(t.policy, t.sample.Exits, t.sample.Hindsight);
            return (exit >= 0 && exit < t.sample.ExitCount
                    && exit == ExitReplay.ExitIndex(t.policy, t.sample.Exits, t.sample.Hindsight))
                .Label($"{t.policy} exited at {exit} of {t.sample.ExitCount}");
        });

    [Property(MaxTest = 300)]
    public Property HigherMaxProbThresholdNeverExitsEarlier() => Prop.ForAll(
        Arb.From(from sample in Samples
                 from a in ExitSampleGenerators.Thresholds(ExitSignal.MaxProb)
                 from b in ExitSampleGenerators.Thresholds(ExitSignal.MaxProb)
                 select (sample, low: Math.Min(a, b), high: Math.Max(a, b))),
        t => FirstExit(new ThresholdPolicy(ExitSignal.MaxProb, t.low), t.sample.Exits)
             <= FirstExit(new ThresholdPolicy(ExitSignal.MaxProb, t.high), t.sample.Exits));

    [Property(MaxTest = 300)]
    public Property LowerEntropyThresholdNeverExitsEarlier() => Prop.ForAll(
        Arb.From(from sample in Samples
                 from a in ExitSampleGenerators.Thresholds(ExitSignal.Entropy)
                 from b in ExitSampleGenerators.Thresholds(ExitSignal.Entropy)
                 select (sample, low: Math.Min(a, b), high: Math.Max(a, b))),
        t => FirstExit(new ThresholdPolicy(ExitSignal.Entropy, t.low), t.sample.Exits)
             >= FirstExit(new ThresholdPolicy(ExitSignal.Entropy, t.high), t.sample.Exits));

    [Property(MaxTest = 300)]
    public Property StricterThresholdNeverExitsEarlierOnTheOtherUncertainties() => Prop.ForAll(
        Arb.From(from sample in Samples
                 from signal in Gen.Elements(ExitSignal.NormalizedEntropy, ExitSignal.Energy, ExitSignal.NormalizedEnergy)
                 from a in ExitSampleGenerators.Thresholds(signal)
                 from b in ExitSampleGenerators.Thresholds(signal)
                 select (sample, signal, low: Math.Min(a, b), high: Math.Max(a, b))),
        t => FirstExit(new ThresholdPolicy(t.signal, t.low), t.sample.Exits)
             >= FirstExit(new ThresholdPolicy(t.signal, t.high), t.sample.Exits));

    [Property(MaxTest = 300)]
    public Property LargerPatienceNeverExitsEarlier() => Prop.ForAll(
        Arb.From(from sample in Samples
                 from a in Gen.Choose(1, sample.ExitCount)
                 from b in Gen.Choose(1, sample.ExitCount)
                 select (sample, small: Math.Min(a, b), large: Math.Max(a, b))),
        t => FirstExit(new PatiencePolicy(t.small), t.sample.Exits)
             <= FirstExit(new PatiencePolicy(t.large), t.sample.Exits));

    [Property(MaxTest = 300)]
    public Property PerExitThresholdsAllEqualMatchOneThreshold() => Prop.ForAll(
        Arb.From(from sample in Samples
                 from signal in Gen.Elements(Enum.GetValues<ExitSignal>())
                 from tau in ExitSampleGenerators.Thresholds(signal)
                 from length in Gen.Elements(1, Math.Max(1, sample.ExitCount - 1), sample.ExitCount)
                 select (sample, signal, tau, length)),
        t =>
        {
            var perExit = new ThresholdPolicy(t.signal, [.. Enumerable.Repeat(t.tau, t.length)]);
            perExit.Validate(t.sample.ExitCount);
            return FirstExit(perExit, t.sample.Exits) == FirstExit(new ThresholdPolicy(t.signal, t.tau), t.sample.Exits);
        });

    // The next properties check each policy against a direct transcription of its definition.

    [Property(MaxTest = 300)]
    public Property ThresholdPolicyExitsAtTheFirstExitPassingTau() => Prop.ForAll(
        Arb.From(from sample in Samples
                 from signal in Gen.Elements(Enum.GetValues<ExitSignal>())
                 from taus in Gen.ArrayOf(ExitSampleGenerators.Thresholds(signal), sample.ExitCount)
                 select (sample, signal, taus)),
        t =>
        {
            int expected = t.sample.ExitCount - 1;
            for (int m = 0; m < t.sample.ExitCount; m++)
            {
                float v = t.sample.Exits[m][t.signal], tau = (float)t.taus[m];
                bool passes = t.signal switch
                {
                    ExitSignal.MaxProb => v >= tau,
                    ExitSignal.NormalizedEnergy => v < tau,
                    _ => v <= tau,
                };
                if (passes) { expected = m; break; }
            }
            return FirstExit(new ThresholdPolicy(t.signal, [.. t.taus]), t.sample.Exits) == expected;
        });

    [Property(MaxTest = 300)]
    public Property PatiencePolicyExitsWhenTheRunOfEqualPredictionsReachesP() => Prop.ForAll(
        Arb.From(from sample in Samples
                 from p in Gen.Choose(1, sample.ExitCount)
                 select (sample, p)),
        t =>
        {
            // Run length ending at m, counting exits after the run's first: its length − 1.
            int expected = t.sample.ExitCount - 1;
            for (int m = 0; m < t.sample.ExitCount; m++)
            {
                int start = m;
                while (start > 0 && t.sample.Exits[start - 1].Prediction == t.sample.Exits[m].Prediction)
                    start--;
                if (m - start >= t.p) { expected = m; break; }
            }
            return FirstExit(new PatiencePolicy(t.p), t.sample.Exits) == expected;
        });

    [Property(MaxTest = 300)]
    public Property StaticPolicyExitsAfterKLayers() => Prop.ForAll(
        Arb.From(from sample in Samples
                 from k in Gen.Choose(1, sample.ExitCount)
                 select (sample, k)),
        t => FirstExit(new StaticExitPolicy(t.k), t.sample.Exits) == t.k - 1);

    [Property(MaxTest = 300)]
    public Property OraclesExitAtTheFirstExitMatchingTheirTarget() => Prop.ForAll(
        Arb.From(Samples),
        sample =>
        {
            int final = sample.Exits[^1].Prediction;
            int agrees = Array.FindIndex(sample.Exits, s => s.Prediction == final);
            int correct = Array.FindIndex(sample.Exits, s => s.Prediction == sample.Label);
            return FirstExit(new OraclePolicy(OracleKind.AgreesWithFinal), sample.Exits, sample.Hindsight) == agrees
                && FirstExit(new OraclePolicy(OracleKind.FirstCorrect), sample.Exits, sample.Hindsight)
                    == (correct < 0 ? sample.ExitCount - 1 : correct);
        });

    [Property(MaxTest = 300)]
    public Property CorrectOracleIsNeverLessAccurateThanAnyDeployablePolicy() => Prop.ForAll(
        Arb.From(from sample in Samples
                 from policy in ExitSampleGenerators.Policies(sample.ExitCount)
                 where policy.IsDeployable
                 select (sample, policy)),
        t =>
        {
            // If any exit is correct the correct-oracle's is; so whenever the policy is right, so is it.
            int oracle = FirstExit(new OraclePolicy(OracleKind.FirstCorrect), t.sample.Exits, t.sample.Hindsight);
            int other = FirstExit(t.policy, t.sample.Exits);
            bool otherRight = t.sample.Exits[other].Prediction == t.sample.Label;
            return !otherRight || t.sample.Exits[oracle].Prediction == t.sample.Label;
        });
}
