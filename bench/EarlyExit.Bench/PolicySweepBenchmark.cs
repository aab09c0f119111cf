using System.Collections.Immutable;
using System.Diagnostics;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using EarlyExit.Core.Traces;

namespace EarlyExit.Bench;

/// <summary>
/// Issue 2's target: sweeping 100 parameter values of every policy over a synthetic trace of
/// 100,000 samples × 12 exits × 10 classes takes under 2 s per policy on 2 cores.
/// Also times the trace file round trip. Prints a table; never asserts.
/// </summary>
internal static class PolicySweepBenchmark
{
    private const int Samples = 100_000, Exits = 12, Classes = 10, GridSize = 100;

    public static void Run(TextWriter output)
    {
        output.WriteLine($"policy sweep: synthetic trace {Samples:N0} samples × {Exits} exits × {Classes} classes, " +
                         $"{Environment.ProcessorCount} cores, {GridSize} values per policy where the parameter is continuous");
        var clock = Stopwatch.StartNew();
        var trace = SyntheticTrace.Create(Samples, Exits, Classes, seed: 1);
        var calibrationTrace = SyntheticTrace.Create(Samples / 5, Exits, Classes, seed: 2);
        output.WriteLine($"trace generated in {clock.Elapsed.TotalSeconds:F2} s");

        string path = Path.Combine(Path.GetTempPath(), $"earlyexit-bench-{Environment.ProcessId}.eetrace");
        clock.Restart();
        ExitTraceFile.Write(trace, path);
        double write = clock.Elapsed.TotalSeconds;
        clock.Restart();
        trace = ExitTraceFile.Read(path);
        double read = clock.Elapsed.TotalSeconds;
        output.WriteLine($"trace file: {new FileInfo(path).Length / 1e6:F1} MB, write {write:F2} s, read {read:F2} s");
        File.Delete(path);

        clock.Restart();
        var evaluator = new TraceEvaluator(trace);
        output.WriteLine($"evaluator built (signals of every exit computed once) in {clock.Elapsed.TotalSeconds:F2} s");
        var calibration = new TraceEvaluator(calibrationTrace);

        var diagrams = ReliabilityDiagrams.Build(calibration.Signals, calibrationTrace.Labels, Exits);
        var smoothed = ReliabilityDiagrams.Smooth(diagrams, halfWidth: 1);
        var costWeights = BeemWeights.Cost(Exits);
        var accuracyWeights = BeemWeights.Accuracy(calibration.ExitAccuracies);
        var exitsGrid = ImmutableArray.CreateRange(Enumerable.Range(1, Exits).Select(k => (double)k));

        var families = new List<PolicyFamily>
        {
            new("max-prob", t => new ThresholdPolicy(ExitSignal.MaxProb, t), ParameterGrid.Linear(0.1, 1.0, GridSize)),
            new("entropy", t => new ThresholdPolicy(ExitSignal.Entropy, t), ParameterGrid.Linear(0, Math.Log(Classes), GridSize)),
            new("normalized-entropy", t => new ThresholdPolicy(ExitSignal.NormalizedEntropy, t), ParameterGrid.Linear(0, 1, GridSize)),
            new("energy", t => new ThresholdPolicy(ExitSignal.Energy, t), ParameterGrid.SignalQuantiles(evaluator, ExitSignal.Energy, GridSize)),
            new("normalized-energy", t => new ThresholdPolicy(ExitSignal.NormalizedEnergy, t), ParameterGrid.SignalQuantiles(evaluator, ExitSignal.NormalizedEnergy, GridSize)),
            new("patience", p => new PatiencePolicy((int)p), exitsGrid),
            new("beem-c", a => new BeemPolicy(BeemPolicy.CostName, costWeights, [a]), ParameterGrid.Linear(0.1, 20, GridSize)),
            new("beem-a", a => new BeemPolicy(BeemPolicy.AccuracyName, accuracyWeights, [a]), ParameterGrid.Linear(0.1, 8, GridSize)),
            new("pcee", d => new PceePolicy(diagrams, d), ParameterGrid.Linear(0.5, 1.0, GridSize)),
            new("pcee-ws", d => new PceePolicy(smoothed, d), ParameterGrid.Linear(0.5, 1.0, GridSize)),
            new("static", k => new StaticExitPolicy((int)k), exitsGrid),
        };

        output.WriteLine();
        // CPU seconds beside wall seconds: on a shared machine the wall clock also counts other
        // processes' time; CPU / cores estimates the wall time on an idle machine of this size.
        output.WriteLine($"{"policy",-20}{"values",7}{"sweep s",10}{"cpu s",8}{"s per 100",11}{"idle est.",11}{"ns/decision",13}{"best acc ≥2×",14}{"target",10}");
        var process = System.Diagnostics.Process.GetCurrentProcess();
        foreach (var family in families)
        {
            evaluator.Sweep(family.Create, family.Grid.Take(2).ToArray()); // JIT warm-up
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            clock.Restart();
            var curve = evaluator.Sweep(family.Create, family.Grid);
            double seconds = clock.Elapsed.TotalSeconds;
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            double idlePer100 = cpu / Environment.ProcessorCount * 100 / family.Grid.Length;
            double decisions = curve.Points.Sum(p => p.MeanLayersExecuted * p.SampleCount);
            double per100 = seconds * 100 / family.Grid.Length;
            var atTwo = curve.Points.Where(p => p.SpeedupRatio >= 2).Select(p => p.Accuracy).DefaultIfEmpty(double.NaN).Max();
            output.WriteLine($"{family.Name,-20}{family.Grid.Length,7}{seconds,10:F2}{cpu,8:F2}{per100,11:F2}{idlePer100,11:F2}{cpu * 1e9 / decisions,13:F1}{atTwo,14:F4}{(per100 < 2 ? "met" : idlePer100 < 2 ? "idle-est" : "MISSED"),10}");
        }
        foreach (var kind in new[] { OracleKind.AgreesWithFinal, OracleKind.FirstCorrect })
        {
            clock.Restart();
            var evaluation = evaluator.Evaluate(new OraclePolicy(kind));
            output.WriteLine($"{evaluation.PolicyName,-20}{1,7}{clock.Elapsed.TotalSeconds,10:F2}{"",8}{"",11}{"",11}{"",13}{evaluation.Accuracy,14:F4}  (speed-up {evaluation.SpeedupRatio:F2}×)");
        }
        output.WriteLine($"final exit accuracy {evaluator.ExitAccuracies[^1]:F4}; the data are synthetic: these figures time the code, they measure no model.");
    }
}
