using EarlyExit.Bench.Training;

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
