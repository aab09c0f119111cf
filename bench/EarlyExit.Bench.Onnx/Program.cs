using System.Globalization;
using EarlyExit.Bench.Onnx;

// Prints a table; never passes or fails.
// Usage: EarlyExit.Bench.Onnx [--data SPEC] [--model DIR] [--texts N] [--threads T] [--rounds R] [--train-examples K] [--save-model DIR] [--spin]
//   --model DIR          a ModelCheckpoint directory (e.g. from training); without it the heads are
//                        trained here on the frozen MiniLM backbone (K examples, one epoch).
//   --data SPEC          whose test texts are timed (default spam-assassin; the model must be trained on it).
//   --texts N            test texts to time (default 400; all if fewer).
//   --threads T          threads for libtorch and for each ORT session (default 2).
//   --rounds R           timed passes per configuration, order rotated each round (default 3).
//   --train-examples K   training examples when no --model is given (default 400).
//   --save-model DIR     save the heads trained here as a ModelCheckpoint, for --model in a later run.
//   --spin               ORT threads spin between calls (ORT's default; off by default here, see OnnxBackendOptions.AllowSpinning).
if (args.Length > 0 && args[0] == "throughput")
{
    // Issue 18: EarlyExit.Bench.Onnx throughput --model DIR [--data SPEC] [--threads T] [--rounds R] [--max-batch-tokens N] [--slices S]
    ThroughputBenchmark.Run(Console.Out, new ThroughputBenchmark.Settings(
        Data: Value("--data") ?? "spam-assassin",
        Model: Value("--model") ?? throw new ArgumentException("throughput needs --model DIR (a model trained on --data)"),
        Threads: Int("--threads", 2),
        Rounds: Int("--rounds", 3),
        MaxBatchTokens: Int("--max-batch-tokens", 4096),
        Slices: Int("--slices", 20)));
    return 0;
}

if (args.Length > 0 && args[0] == "texts")
{
    // Issue 18's volume input: EarlyExit.Bench.Onnx texts --data SPEC --rows N --out FILE.csv — the test split's
    // texts repeated in order to N rows (id, text), for earlyexit score's memory and throughput runs.
    var data = EarlyExit.Data.Datasets.DatasetCatalog.LoadText(EarlyExit.Data.Datasets.DatasetSpec.Parse(Value("--data") ?? "spam-assassin"));
    long rowsWanted = long.Parse(Value("--rows") ?? "1000000", CultureInfo.InvariantCulture);
    string outPath = Value("--out") ?? throw new ArgumentException("texts needs --out FILE.csv");
    using (var writer = new StreamWriter(outPath))
    {
        writer.Write("id,text\n");
        for (long i = 0; i < rowsWanted; i++)
        {
            string text = data.Test[(int)(i % data.Test.Count)].Text.Replace("\"", "\"\"", StringComparison.Ordinal);
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{i},\"{text}\"\n"));
        }
    }
    Console.WriteLine($"wrote {rowsWanted:N0} rows of {data.Test.Count:N0} test texts to {outPath}");
    return 0;
}

var settings = new OnnxBenchmark.Settings(
    Data: Value("--data") ?? "spam-assassin",
    Model: Value("--model"),
    Texts: Int("--texts", 400),
    Threads: Int("--threads", 2),
    Rounds: Int("--rounds", 3),
    TrainExamples: Int("--train-examples", 400),
    SaveModel: Value("--save-model"),
    Spin: args.Contains("--spin"));
OnnxBenchmark.Run(Console.Out, settings);
return 0;

string? Value(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int Int(string name, int fallback) =>
    Value(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
