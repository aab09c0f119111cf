using EarlyExit.Bench;

// Benchmarks print tables; they never pass or fail. Usage: earlyexit-bench [policy-sweep]
string which = args.Length > 0 ? args[0] : "policy-sweep";
switch (which)
{
    case "policy-sweep":
        PolicySweepBenchmark.Run(Console.Out);
        return 0;
    default:
        Console.Error.WriteLine($"unknown benchmark '{which}'; valid: policy-sweep");
        return 1;
}
