using System.Text.Json.Nodes;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using EarlyExit.Core.Traces;
using EarlyExit.Torch.Training;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Training;

[Collection(TorchGeneratorCollection.Name)]
public sealed class CoseeObjectiveTests
{
    [Fact]
    public void WeightsPeakAtTheSimulatedExitAndSumToOnePerSample()
    {
        using var scope = NewDisposeScope();
        // M = 3, β = 1, m* = 0 and 2. For m* = 0: e^0, e^-1, e^-2 = 1, 0.367879, 0.135335, sum 1.503215
        // → 0.665241, 0.244728, 0.090031; m* = 2 mirrors it.
        float[] w = CoseeObjective.SampleWeights(tensor(new long[] { 0, 2 }), 3, beta: 1.0).data<float>().ToArray(); // (exits, batch)

        double[] expected0 = [0.665241, 0.244728, 0.090031];
        for (int m = 0; m < 3; m++)
        {
            Assert.Equal(expected0[m], w[m * 2 + 0], 1e-6);
            Assert.Equal(expected0[2 - m], w[m * 2 + 1], 1e-6);
        }
        Assert.Equal(1.0, w[0] + w[2] + w[4], 1e-6);
        Assert.Equal(1.0, w[1] + w[3] + w[5], 1e-6);
    }

    [Fact]
    public void WeightsSumToOneAndPeakAtTheExitForEverySampleAndBeta()
    {
        using var scope = NewDisposeScope();
        // Property over a grid: M = 6, every m* in 0..5, β from 0.05 to 10 (the paper's grid).
        long[] exits = [0, 1, 2, 3, 4, 5];
        foreach (double beta in new[] { 0.05, 0.2, 1.0, 10.0 })
        {
            Tensor w = CoseeObjective.SampleWeights(tensor(exits), 6, beta);
            float[] sums = w.sum([0L]).data<float>().ToArray();
            long[] peaks = w.argmax(0).data<long>().ToArray();
            Assert.All(sums, s => Assert.Equal(1.0, s, 1e-6));
            Assert.Equal(exits, peaks);
        }
        // β = 0 (the first instant of the warm-up) is uniform: 1/6 each.
        Assert.All(CoseeObjective.SampleWeights(tensor(exits), 6, 0).data<float>().ToArray(), v => Assert.Equal(1.0 / 6, v, 1e-6));
    }

    [Fact]
    public void BetaWarmsUpLinearlyOverTheRun()
    {
        // β_t = β_0·t/T: β_0 = 10 → 0.1 at step 1 of 100, 2.5 at 25, 10 at 100.
        Assert.Equal(0.1, CoseeObjective.Beta(10, new TrainingStep(0, 1, 100)), 1e-12);
        Assert.Equal(2.5, CoseeObjective.Beta(10, new TrainingStep(0, 25, 100)), 1e-12);
        Assert.Equal(10, CoseeObjective.Beta(10, new TrainingStep(3, 100, 100)), 1e-12);
    }

    [Fact]
    public void CalibrationLossIsZeroWhenEasyAndHardAreSeparatedByMoreThanTheMargin()
    {
        using var scope = NewDisposeScope();
        // One internal exit (M = 2; the final row is ignored). Easy mean (0.1 + 0.2)/2 = 0.15,
        // hard mean (0.6 + 0.9)/2 = 0.75: 0.15 − 0.75 + 0.3 = −0.3 → max(0, ·) = 0.
        Tensor signals = tensor(new float[] { 0.1f, 0.2f, 0.6f, 0.9f, 9, 9, 9, 9 }).view(2, 4);
        Tensor correct = tensor(new[] { true, true, false, false, true, true, true, true }).view(2, 4);

        double loss = CoseeObjective.CalibrationLoss(signals, correct, ExitSignal.NormalizedEnergy, 0.3).item<float>();

        Assert.Equal(0.0, loss, 1e-7);
    }

    [Fact]
    public void CalibrationLossIsTheHingeOfTheMeanGapOtherwise()
    {
        using var scope = NewDisposeScope();
        // Energy-like: easy (0.3 + 0.5)/2 = 0.4, hard (0.6 + 0.4)/2 = 0.5: 0.4 − 0.5 + 0.3 = 0.2.
        Tensor signals = tensor(new float[] { 0.3f, 0.5f, 0.6f, 0.4f, 0, 0, 0, 0 }).view(2, 4);
        Tensor correct = tensor(new[] { true, true, false, false, false, false, false, false }).view(2, 4);
        Assert.Equal(0.2, CoseeObjective.CalibrationLoss(signals, correct, ExitSignal.Entropy, 0.3).item<float>(), 1e-6);

        // Max-prob swaps the groups (eq. 8): easy (0.9 + 0.7)/2 = 0.8, hard (0.6 + 0.8)/2 = 0.7:
        // 0.7 − 0.8 + 0.3 = 0.2.
        Tensor confidences = tensor(new float[] { 0.9f, 0.7f, 0.6f, 0.8f, 0, 0, 0, 0 }).view(2, 4);
        Assert.Equal(0.2, CoseeObjective.CalibrationLoss(confidences, correct, ExitSignal.MaxProb, 0.3).item<float>(), 1e-6);
    }

    [Fact]
    public void CalibrationLossSkipsAnExitWithAnEmptyGroup()
    {
        using var scope = NewDisposeScope();
        // M = 3: exit 0 gives 0.2 as above; exit 1 classifies everything correctly (no hard
        // sample) and is skipped, so the mean is over exit 0 alone: 0.2, not (0.2 + 0)/2.
        Tensor signals = tensor(new float[] { 0.3f, 0.5f, 0.6f, 0.4f, 0.1f, 0.1f, 0.1f, 0.1f, 0, 0, 0, 0 }).view(3, 4);
        Tensor correct = tensor(new[] { true, true, false, false, true, true, true, true, true, true, true, true }).view(3, 4);
        Assert.Equal(0.2, CoseeObjective.CalibrationLoss(signals, correct, ExitSignal.NormalizedEnergy, 0.3).item<float>(), 1e-6);

        // Every internal exit skipped → 0.
        Tensor allEasy = ones(3, 4, dtype: ScalarType.Bool);
        Assert.Equal(0.0, CoseeObjective.CalibrationLoss(signals, allEasy, ExitSignal.NormalizedEnergy, 0.3).item<float>());
    }

    [Fact]
    public void DifferentiableSignalsMatchCoreSignals()
    {
        using var scope = NewDisposeScope();
        float[] z = [2.5f, -1f, 0.5f, 30f, 29f, -40f];
        Tensor logits = tensor(z).view(2, 3);
        foreach (ExitSignal signal in new[] { ExitSignal.NormalizedEnergy, ExitSignal.Entropy, ExitSignal.MaxProb })
        {
            float[] torchValues = CoseeObjective.SignalOf(logits, signal).data<float>().ToArray();
            Assert.Equal(ExitSignals.Compute(signal, z.AsSpan(0, 3)), torchValues[0], 1e-6);
            Assert.Equal(ExitSignals.Compute(signal, z.AsSpan(3, 3)), torchValues[1], 1e-6);
        }
    }

    [Fact]
    public void SimulatedExitFollowsTheThresholdPolicyOnAHandCase()
    {
        // τ = 0.2 on σ(E) = 1 / (1 + Σ_c e^{z_c}), 4 classes, M = 3.
        // Sample 0: exit 0 [0, 0, 0, 0] → 1/(1 + 4) = 0.2, not < 0.2 (strict, eq. 11) → stays;
        //   exit 1 [3, 0, 0, 0] → 1/(1 + 20.0855 + 3) = 0.0415 → leaves at 1.
        // Sample 1: [1, 1, 1, 1] → 1/(1 + 4e) = 0.0842 → leaves at 0.
        // Sample 2: [−1, −1, −1, −1] everywhere → 1/(1 + 4/e) = 0.4046 → never → the last exit, 2.
        float[] torchLayout = // (exits, batch, classes)
        [
            0, 0, 0, 0, 1, 1, 1, 1, -1, -1, -1, -1,
            3, 0, 0, 0, 1, 1, 1, 1, -1, -1, -1, -1,
            0, 0, 0, 0, 1, 1, 1, 1, -1, -1, -1, -1,
        ];
        using var scope = NewDisposeScope();
        SignalValues[] values = CoseeObjective.HostSignals(tensor(torchLayout).view(3, 3, 4));

        long[] exits = CoseeObjective.SimulatedExits(values, 3, ExitSignal.NormalizedEnergy, 0.2);

        Assert.Equal([1L, 0L, 2L], exits);
    }

    [Fact]
    public void SimulatedExitAgreesWithThresholdPolicyReplayedOverTheSameLogits()
    {
        // Synthetic random logits (M = 4, N = 200, C = 3), replayed two ways: COSEE's simulation on
        // the (exits, batch, classes) tensor, and ExitReplay over an ExitTrace of the same logits
        // laid out [sample][exit][class], as the offline evaluator sees them.
        using var scope = NewDisposeScope();
        manual_seed(11);
        const int M = 4, N = 200, C = 3;
        Tensor logits = randn(M, N, C) * 3;
        float[] traceLayout = logits.permute(1, 0, 2).contiguous().data<float>().ToArray();
        var trace = new ExitTrace(traceLayout, new int[N], M, ["a", "b", "c"]);
        SignalValues[] traceSignals = trace.ComputeSignals();
        SignalValues[] cosee = CoseeObjective.HostSignals(logits);

        foreach (var (signal, tau) in new[] { (ExitSignal.NormalizedEnergy, 0.02), (ExitSignal.NormalizedEnergy, 0.1), (ExitSignal.Entropy, 0.5), (ExitSignal.MaxProb, 0.8) })
        {
            var policy = new ThresholdPolicy(signal, tau);
            long[] expected = [.. Enumerable.Range(0, N).Select(n => (long)ExitReplay.ExitIndex(policy, traceSignals.AsSpan(n * M, M)))];
            long[] simulated = CoseeObjective.SimulatedExits(cosee, M, signal, tau);
            Assert.Equal(expected, simulated);
            Assert.Contains(simulated, e => e < M - 1); // the case is not trivially "all at the last exit"
        }
    }

    [Fact]
    public void ThresholdRangeComesFromThePreviousEpochsInternalExits()
    {
        using var scope = NewDisposeScope();
        var objective = new CoseeObjective();
        Assert.Equal((0.0, 1.0), (objective.ThresholdLow, objective.ThresholdHigh)); // first epoch: [0, 1]

        // M = 2, 2 classes. Internal exit 0: [0, 0] → σ = 1/3 and [1, 1] → 1/(1 + 2e) = 0.155362.
        // The final exit's [5, 5] (σ = 0.00335) must not count.
        float[] first = [0, 0, 1, 1, 5, 5, 5, 5];
        // A second batch of the same epoch: exit 0 [−1, −1] → 1/(1 + 2/e) = 0.576117.
        float[] second = [-1, -1, 0, 0, 5, 5, 5, 5];
        Tensor labels = tensor(new long[] { 0, 1 });
        objective.Loss(tensor(first).view(2, 2, 2), labels, new TrainingStep(0, 1, 4));
        objective.Loss(tensor(second).view(2, 2, 2), labels, new TrainingStep(0, 2, 4));
        Assert.Equal((0.0, 1.0), (objective.ThresholdLow, objective.ThresholdHigh)); // unchanged within the epoch

        objective.EndEpoch();

        Assert.Equal(1 / (1 + 2 * Math.E), objective.ThresholdLow, 1e-6);
        Assert.Equal(1 / (1 + 2 / Math.E), objective.ThresholdHigh, 1e-6);
        manual_seed(3);
        Assert.All(objective.SampleThresholds(), t => Assert.InRange(t, objective.ThresholdLow, objective.ThresholdHigh));
        Assert.Equal(5, objective.SampleThresholds().Length); // K = 5

        // An epoch that sees nothing keeps the range; the state round-trips.
        objective.EndEpoch();
        Assert.Equal(1 / (1 + 2 * Math.E), objective.ThresholdLow, 1e-6);
        var copy = new CoseeObjective();
        copy.RestoreState(objective.SaveState());
        Assert.Equal((objective.ThresholdLow, objective.ThresholdHigh), (copy.ThresholdLow, copy.ThresholdHigh));
    }

    [Fact]
    public void LossIsTheWeightedCrossEntropyPlusAlphaTimesCalibration()
    {
        using var scope = NewDisposeScope();
        // M = 2, N = 2, C = 2, labels (0, 0). Exit 0: [0, 0] (ties go to class 0 → correct, easy)
        // and [0, 2] (predicts 1 → hard); exit 1: [2, 0] twice (correct).
        // With β_0 = 0 the weights are ½, ½ whatever the thresholds, so
        // L_CE = (1/N) Σ_n ½ (CE_n^0 + CE_n^1).
        float[] z = [0, 0, 0, 2, 2, 0, 2, 0];
        Tensor logits = tensor(z).view(2, 2, 2);
        Tensor labels = tensor(new long[] { 0, 0 });
        var objective = new CoseeObjective(new CoseeOptions { BetaZero = 0, CalibrationWeight = 0.5 });

        double loss = objective.Loss(logits, labels, new TrainingStep(0, 1, 10)).item<float>();

        double ceEasy = Math.Log(2), ceHard = Math.Log(1 + Math.Exp(2)), ceFinal = Math.Log(1 + Math.Exp(-2));
        double classification = 0.5 * ((ceEasy + ceFinal) + (ceHard + ceFinal)) / 2;
        // OSC at exit 0: easy σ([0,0]) = 1/3, hard σ([0,2]) = 1/(2 + e²) = 0.106507: 1/3 − 0.106507 + 0.3 = 0.526826.
        double calibration = 1.0 / 3 - 1 / (2 + Math.Exp(2)) + 0.3;
        Assert.Equal(classification + 0.5 * calibration, loss, 1e-6);
    }

    [Fact]
    public void With_beta_zero_above_zero_the_weights_follow_each_samples_simulated_exit()
    {
        using var scope = NewDisposeScope();
        // M = 2, N = 2, C = 2, labels (0, 0); normalized energy, thresholds drawn from [0.2, 0.8].
        // Sample A, exit 0 [20, 20]: σ(−logsumexp) = σ(−20.693) ≈ 1e-9 < every τ → m* = 0.
        // Sample B, exit 0 [−3, −3]: σ(3 − log 2) = 0.909 > every τ → it runs on, m* = 1 (the last exit).
        // Exit 1: A [2, 0], B [0, 2]. β = β₀·t/T = 2·5/10 = 1, so w(m) = softmax(−|m − m*|):
        // m* = 0 → (a, b), m* = 1 → (b, a), a = 1/(1 + e⁻¹) = 0.731059, b = 0.268941.
        // CE: A exit 0 log 2 (the tie predicts class 0), exit 1 log(1 + e⁻²); B exit 0 log 2, exit 1 log(1 + e²).
        Tensor logits = tensor(new float[] { 20, 20, -3, -3, 2, 0, 0, 2 }).view(2, 2, 2);
        Tensor labels = tensor(new long[] { 0, 0 });
        var objective = new CoseeObjective(new CoseeOptions { BetaZero = 2, CalibrationWeight = 0 });
        objective.RestoreState(new JsonObject { ["thresholdLow"] = 0.2, ["thresholdHigh"] = 0.8 });
        manual_seed(11);

        double loss = objective.Loss(logits, labels, new TrainingStep(0, 5, 10)).item<float>();

        double a = 1 / (1 + Math.Exp(-1)), b = 1 - a;
        double sampleA = (a * Math.Log(2)) + (b * Math.Log(1 + Math.Exp(-2)));
        double sampleB = (b * Math.Log(2)) + (a * Math.Log(1 + Math.Exp(2)));
        Assert.Equal((sampleA + sampleB) / 2, loss, 1e-5);
        // β₀ = 0 would weigh both exits ½: a different number, so the test sees the weighting.
        double uniform = ((0.5 * (Math.Log(2) + Math.Log(1 + Math.Exp(-2)))) + (0.5 * (Math.Log(2) + Math.Log(1 + Math.Exp(2))))) / 2;
        Assert.True(Math.Abs(uniform - loss) > 0.05);
    }

    [Fact]
    public void OptionsRejectSignalsItCannotCalibrate()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new CoseeObjective(new CoseeOptions { Signal = ExitSignal.Energy }));
        Assert.Contains("Signal must be one of normalized-energy, entropy, max-prob; got Energy", e.Message);
        Assert.Contains("ThresholdCount must be at least 1; got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => new CoseeObjective(new CoseeOptions { ThresholdCount = 0 })).Message);
    }

    [Fact]
    public void DefaultsAreThePapers()
    {
        var o = new CoseeOptions();
        Assert.Equal((ExitSignal.NormalizedEnergy, 5, 0.3, 0.1, 10.0), (o.Signal, o.ThresholdCount, o.Margin, o.CalibrationWeight, o.BetaZero));
    }
}
