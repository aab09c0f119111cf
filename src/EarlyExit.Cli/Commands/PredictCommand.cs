using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using EarlyExit.Cli.Models;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Policies;
using EarlyExit.Onnx.Runtime;

namespace EarlyExit.Cli.Commands;

/// <summary>
/// <c>earlyexit predict</c>: classifies texts with early exit (<see cref="EarlyExitClassifier"/>)
/// on the <c>--backend</c> chosen: each text runs layer by layer until the policy lets it leave. One tab-separated line per text:
/// label, probability, exit layer, compute used, text.
/// </summary>
public static class PredictCommand
{
    /// <summary>The most texts per runtime batch.</summary>
    public const int BatchSize = 32;

    /// <summary>Texts handed to the classifier at once: it sorts them by length into token-budget batches, so a window larger than a batch is what lets like lengths run together.</summary>
    public const int Window = 1024;

    /// <summary>The examples <c>--help</c> prints.</summary>
    internal const string Examples = """
          earlyexit predict --model models/spam "WIN a FREE cruise, click now" "Minutes of Tuesday's meeting attached"
          earlyexit predict --model models/spam --policy max-prob --param 0.95 "cheap meds"
          cat mails.txt | earlyexit predict --model models/spam --policy pcee --param 0.99
          earlyexit predict --model models/spam --backend onnx --onnx-threads 2 "cheap meds"
        """;

    /// <summary>Builds the <c>predict</c> command.</summary>
    /// <param name="context">Reader, writers and the cancellation token.</param>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = CliOptions.ModelDirectory();
        var policy = CliOptions.Policy();
        var parameter = CliOptions.Parameter();
        var seed = CliOptions.Seed();
        var threads = CliOptions.Threads();
        var backend = CliOptions.Backend();
        var onnxThreads = CliOptions.OnnxThreads();
        var precision = CliOptions.Precision();
        var texts = new Argument<string[]>("TEXT") { Description = "Texts to classify; none = read stdin, one per line", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("predict", "Classify texts with early exit: label, probability, exit layer and compute used for each.")
        {
            model, policy, parameter, seed, threads, backend, onnxThreads, precision, texts,
        };
        command.SetAction(parse => (int)CliRunner.Run(context.Error, () => Run(new PredictSettings
        {
            Model = parse.GetValue(model)!,
            Policy = parse.GetValue(policy),
            Parameter = parse.GetValue(parameter),
            Texts = parse.GetValue(texts) ?? [],
            Seed = parse.GetValue(seed),
            Threads = parse.GetValue(threads),
            Backend = parse.GetValue(backend),
            OnnxThreads = parse.GetValue(onnxThreads),
            Precision = parse.GetValue(precision)!,
        }, context.In, context.Out, context.Error, context.CancellationToken), context.CancellationToken));
        return command;
    }

    /// <summary>Classifies the texts: a header and one line per text on stdout.</summary>
    /// <param name="settings">Model, policy and texts.</param>
    /// <param name="stdin">Read, one text per line, when <see cref="PredictSettings.Texts"/> is empty.</param>
    /// <param name="stdout">The predictions.</param>
    /// <param name="stderr">Which policy runs.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns><see cref="CliExitStatus.Success"/>.</returns>
    /// <exception cref="CliException">A missing or corrupt model, an unknown policy, a parameter out of range, no text, a negative <c>--onnx-threads</c>.</exception>
    public static CliExitStatus Run(PredictSettings settings, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ModelDirectory folder = ModelDirectory.Open(settings.Model); // before reading stdin: a wrong folder is said at once
        IReadOnlyList<string> texts = settings.Texts.Count > 0 ? settings.Texts : ReadLines(stdin);
        if (texts.Count == 0) throw new CliException("no text to classify: give texts as arguments or one per line on stdin");
        TorchSetup.Apply(settings.Threads, settings.Seed);
        OnnxBackendOptions onnxOptions = BackendSetup.OnnxOptions(settings.OnnxThreads, settings.Threads, settings.Precision, settings.Backend);
        using EarlyExitClassifier classifier = EarlyExitClassifier.Load(folder,
            new EarlyExitClassifierOptions { Backend = settings.Backend, Onnx = onnxOptions, BatchSize = BatchSize });
        ExitPolicy policy = CreatePolicy(classifier, settings.Policy, settings.Parameter);
        stderr.WriteLine($"policy {new PolicySpec(policy.Name, double.IsNaN(policy.Parameter) ? null : policy.Parameter)} on {InferenceBackends.NameOf(settings.Backend)}"
            + (classifier.Calibration is null ? " (the model is not calibrated: every text runs all layers unless --policy says otherwise; BEEM and PCEE need earlyexit calibrate)" : ""));

        stdout.WriteLine("label\tprobability\texit\tcompute\ttext");
        for (int start = 0; start < texts.Count; start += Window)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string[] chunk = [.. texts.Skip(start).Take(Window)];
            ImmutableArray<Classification> answers = classifier.Classify(chunk, policy);
            for (int i = 0; i < chunk.Length; i++)
            {
                Classification a = answers[i];
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{a.Label}\t{a.Probability:F4}\t{a.LayersExecuted}/{a.ExitCount}\t{a.ComputeFraction:F3}\t{Clean(chunk[i])}"));
            }
        }
        return CliExitStatus.Success;
    }

    /// <summary>
    /// The policy <c>--policy</c> and <c>--param</c> name: without <c>--policy</c>, the model's default
    /// (<see cref="EarlyExitClassifier.DefaultPolicy"/>) with <c>--param</c> replacing its parameter.
    /// </summary>
    /// <exception cref="CliException">An unknown name (the valid ones listed), an oracle, a parameter out of range, a missing calibration.</exception>
    internal static ExitPolicy CreatePolicy(EarlyExitClassifier classifier, string? name, double? parameter)
    {
        PolicySpec spec = name is not null
            ? new PolicySpec(name, parameter)
            : classifier.DefaultPolicy with { Parameter = parameter ?? classifier.DefaultPolicy.Parameter };
        try
        {
            return classifier.ResolvePolicy(spec);
        }
        catch (PolicyNotDeployableException)
        {
            throw new CliException($"--policy {spec.Name} is an evaluation bound that needs each text's label; it cannot predict (valid: {string.Join(", ", PolicyCatalog.DeployableNames)})");
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--policy {spec}: {CliErrors.MessageOf(e)}", CliExitStatus.UserError, e);
        }
    }

    private static List<string> ReadLines(TextReader stdin)
    {
        var lines = new List<string>();
        while (stdin.ReadLine() is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line)) lines.Add(line);
        }
        return lines;
    }

    // One text per output line: tabs and line breaks would break the columns.
    private static string Clean(string text) => text.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
}
