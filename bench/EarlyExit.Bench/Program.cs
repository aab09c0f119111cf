using EarlyExit.Bench;

// Benchmarks print tables; they never pass or fail. Usage: earlyexit-bench [policy-sweep | trace-agreement ORIGINAL RETROFIT]
string which = args.Length > 0 ? args[0] : "policy-sweep";
switch (which)
{
    case "policy-sweep":
        PolicySweepBenchmark.Run(Console.Out);
        return 0;
    case "trace-agreement" when args.Length == 3:
        return TraceAgreementReport.Run(Console.Out, args[1], args[2]);
    default:
        Console.Error.WriteLine($"unknown benchmark '{which}'; valid: policy-sweep, trace-agreement ORIGINAL.eetrace RETROFIT.eetrace");
        return 1;
}
