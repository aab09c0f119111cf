using EarlyExit.Bench.Training;

// "cache-speed": head-only training seconds per epoch, head-input cache on and off (docs/algorithms.md §3.6).
// Usage: -- cache-speed [examples 256] [length 64] [epochs 3] [rounds 2] [threads 2]
if (args.Length > 0 && args[0] == "cache-speed")
{
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i]) : fallback;
    CacheSpeedBenchmark.Run(Console.Out, Arg(1, 256), Arg(2, 64), Arg(3, 3), Arg(4, 2), Arg(5, 2));
    return 0;
}

// "evidence": issue 4's real-data fine-tuning runs (see TrainingEvidence); otherwise the memory benchmark.
if (args.Length > 0 && args[0] == "evidence")
{
    var e = new TrainingEvidence.Settings(Data: "spam-assassin", Objective: "joint", TrainExamples: 2000, Epochs: 2, Length: 128,
        BatchSize: 16, LearningRate: 5e-5, HeadLearningRate: 1e-3, Minutes: 18, Threads: 2, OutDirectory: "out/evidence", Seed: 42);
    for (int i = 1; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        e = args[i] switch
        {
            "--data" => e with { Data = Value() },
            "--objective" => e with { Objective = Value() },
            "--train-examples" => e with { TrainExamples = int.Parse(Value()) },
            "--epochs" => e with { Epochs = int.Parse(Value()) },
            "--length" => e with { Length = int.Parse(Value()) },
            "--batch" => e with { BatchSize = int.Parse(Value()) },
            "--lr" => e with { LearningRate = double.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture) },
            "--head-lr" => e with { HeadLearningRate = double.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture) },
            "--minutes" => e with { Minutes = int.Parse(Value()) },
            "--threads" => e with { Threads = int.Parse(Value()) },
            "--out" => e with { OutDirectory = Value() },
            "--seed" => e with { Seed = int.Parse(Value()) },
            "--resume" => e with { Resume = true },
            _ => throw new ArgumentException($"unknown option {args[i]}; valid: --data --objective --train-examples --epochs --length --batch --lr --head-lr --minutes --threads --out --seed --resume"),
        };
    }
    TrainingEvidence.Run(Console.Out, e);
    return 0;
}

// Prints a table; never passes or fails.
// Usage: dotnet run -c Release --project bench/EarlyExit.Bench.Training -- [--tiny] [--objective cosee]
//        [--examples 320] [--length 64] [--batch 16] [--every 2] [--threads N] [--freeze-backbone]
var settings = new TrainingMemoryBenchmark.Settings(Tiny: false, Objective: "cosee", Examples: 320, Length: 64, BatchSize: 16, Every: 2, FreezeBackbone: false, Threads: 0);
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    settings = args[i] switch
    {
        "--tiny" => settings with { Tiny = true },
        "--freeze-backbone" => settings with { FreezeBackbone = true },
        "--objective" => settings with { Objective = Next() },
        "--examples" => settings with { Examples = int.Parse(Next()) },
        "--length" => settings with { Length = int.Parse(Next()) },
        "--batch" => settings with { BatchSize = int.Parse(Next()) },
        "--every" => settings with { Every = int.Parse(Next()) },
        "--threads" => settings with { Threads = int.Parse(Next()) },
        _ => throw new ArgumentException($"unknown option {args[i]}; valid: --tiny --objective --examples --length --batch --every --threads --freeze-backbone"),
    };
}
TrainingMemoryBenchmark.Run(Console.Out, settings);
return 0;
