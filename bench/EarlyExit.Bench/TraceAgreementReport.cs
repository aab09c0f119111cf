using System.Globalization;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Signals;
using EarlyExit.Core.Traces;

namespace EarlyExit.Bench;

/// <summary>
/// The retrofit evidence's "the final exit's answers are the deployed model's": reads two exit
/// traces of the same split (the plain classifier's and the retrofitted model's) and prints, per
/// exit of the second, its agreement with the first trace's final exit, and how many final-exit
/// logits differ at all. Prints; never asserts.
/// </summary>
internal static class TraceAgreementReport
{
    public static int Run(TextWriter output, string originalPath, string retrofitPath)
    {
        ExitTrace original = ExitTraceFile.Read(originalPath), retrofit = ExitTraceFile.Read(retrofitPath);
        if (original.SampleCount != retrofit.SampleCount || !original.Labels.SequenceEqual(retrofit.Labels))
        {
            output.WriteLine($"the traces are not of the same samples: {original.SampleCount} and {retrofit.SampleCount} samples, or other labels");
            return 1;
        }

        int n = original.SampleCount;
        int[] reference = FinalPredictions(original);
        output.WriteLine($"{n} samples; agreement of each exit of {retrofitPath} with the final exit of {originalPath}:");
        SignalValues[] signals = retrofit.ComputeSignals();
        for (int exit = 0; exit < retrofit.ExitCount; exit++)
        {
            int[] predictions = [.. Enumerable.Range(0, n).Select(s => signals[(s * retrofit.ExitCount) + exit].Prediction)];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  exit {exit + 1}: {Agreement.Of(predictions, reference):P2}"));
        }

        double largest = 0;
        for (int s = 0; s < n; s++)
        {
            ReadOnlySpan<float> a = original.Logits(s, original.ExitCount - 1), b = retrofit.Logits(s, retrofit.ExitCount - 1);
            for (int c = 0; c < a.Length; c++) largest = Math.Max(largest, Math.Abs(a[c] - b[c]));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"largest |final logit difference|: {largest:G3}"));
        return 0;
    }

    private static int[] FinalPredictions(ExitTrace trace)
    {
        SignalValues[] signals = trace.ComputeSignals();
        return [.. Enumerable.Range(0, trace.SampleCount).Select(s => signals[(s * trace.ExitCount) + trace.ExitCount - 1].Prediction)];
    }
}
