using EarlyExit;
using EarlyExit.Core.Catalog;

// A console app that embeds EarlyExit: load a model folder once, classify texts with early exit.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: ConsoleClassifier MODEL_DIR TEXT [TEXT…]");
    return 1;
}
try
{
    using var classifier = EarlyExitClassifier.Load(args[0], new EarlyExitClassifierOptions { Backend = InferenceBackend.Onnx });
    foreach (Classification answer in classifier.Classify(args[1..]))
        Console.WriteLine($"{answer.Label}\t{answer.Probability:F4}\texit {answer.LayersExecuted}/{answer.ExitCount}\tcompute {answer.ComputeFraction:P0}");

    // Any deployable policy may be named per call; here the fastest: exit when two exits agree.
    Classification quick = classifier.Classify(args[1], new PolicySpec("patience", 1));
    Console.WriteLine($"patience 1: {quick.Label} after {quick.LayersExecuted} layers");
    return 0;
}
catch (ModelFolderException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
