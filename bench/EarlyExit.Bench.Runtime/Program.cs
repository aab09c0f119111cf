using EarlyExit.Bench.Runtime;

// Prints tables; never passes or fails. Usage: EarlyExit.Bench.Runtime [--quick]
// --quick: few repeats, to check that it runs (the figures are then noisy).
bool quick = args.Contains("--quick");
RuntimeBenchmark.Run(Console.Out, quick);
return 0;
