using System.CommandLine;
using EarlyExit.Cli.Models;
using EarlyExit.Core.Catalog;
using EarlyExit.Data.Datasets;
using EarlyExit.Onnx.Runtime;

namespace EarlyExit.Cli;

/// <summary>
/// The options several commands share, in one place so their names, defaults and help texts
/// cannot drift apart. Each is created per command (an option belongs to one command in help).
/// </summary>
public static class CliOptions
{
    /// <summary><c>--data SPEC</c>; its help lists the valid forms from <see cref="DatasetSpec.ValidForms"/>.</summary>
    /// <param name="required">Whether the command needs it.</param>
    public static Option<string> Data(bool required = true) => new("--data")
    {
        Description = $"The dataset: text {string.Join(", ", DatasetSpec.TextForms)} (your own file or folder, with text and label columns), or images {string.Join(", ", DatasetSpec.ImageForms)} (a folder with train/ and test/, one sub-folder per class)",
        HelpName = "SPEC",
        Required = required,
    };

    /// <summary><c>--model DIR</c>: a model folder written by train.</summary>
    public static Option<string> ModelDirectory() => new("--model")
    {
        Description = "The model folder written by earlyexit train",
        HelpName = "DIR",
        Required = true,
    };

    /// <summary><c>--compare DIR</c>: a smaller model folder whose full-depth cost and error the model is compared with (PCEE's fig. 1).</summary>
    public static Option<string?> Compare() => new("--compare")
    {
        Description = "A smaller model folder trained on the same data: its full-depth point is compared with this model's early exits (PCEE's claim)",
        HelpName = "DIR",
    };

    /// <summary><c>--strict</c>: text data with rows that are not valid UTF-8 is refused instead of read with U+FFFD and a warning.</summary>
    public static Option<bool> Strict() => new("--strict")
    {
        Description = "Refuse text data with rows that are not valid UTF-8 (without it they are read with U+FFFD and counted in a warning)",
    };

    /// <summary><c>--seed N</c>, default 42.</summary>
    public static Option<int> Seed() => new("--seed")
    {
        Description = "Seed of torch's generator (head initialisation, shuffling, dropout); the data split is fixed",
        DefaultValueFactory = _ => TrainingDefaults.Seed,
    };

    /// <summary><c>--threads N</c>, default 2.</summary>
    public static Option<int> Threads() => new("--threads")
    {
        Description = "Torch threads (libtorch's own default is much slower on a busy 2-core machine)",
        DefaultValueFactory = _ => TrainingDefaults.Threads,
    };

    /// <summary><c>--policy NAME</c>; its help lists the catalog's deployable names.</summary>
    public static Option<string?> Policy() => new("--policy")
    {
        Description = $"Exit policy: {string.Join(", ", PolicyCatalog.DeployableNames)} (default: the calibrated default, PCEE with δ = the final exit's validation accuracy)",
        HelpName = "NAME",
    };

    /// <summary><c>--param X</c>: the policy's one parameter.</summary>
    public static Option<double?> Parameter() => new("--param")
    {
        Description = "The policy's parameter: τ for thresholds, P for patience, α for BEEM, δ for PCEE, k for static (default: the policy's own)",
        HelpName = "X",
    };

    /// <summary><c>--split validation|test</c>, default test.</summary>
    public static Option<string> Split() => new Option<string>("--split")
    {
        Description = "The split to report on; parameters are always chosen on validation",
        DefaultValueFactory = _ => "test",
    }.AcceptOnlyFromAmong("validation", "test");

    /// <summary>
    /// <c>--backend torch|onnx</c>, default torch; a name outside <see cref="InferenceBackends.Names"/>
    /// is a parse error that names the option and lists the valid names.
    /// </summary>
    public static Option<InferenceBackend> Backend() => new("--backend")
    {
        Description = $"The library that computes the layers: {string.Join(" or ", InferenceBackends.Names)}, default torch (ONNX Runtime is faster on the CPU; both give the same answers, probabilities within 1e-4)",
        HelpName = "NAME",
        // No DefaultValueFactory: help would print the enum's name ("Torch"), not the option's value.
        // Not given, the option reads default(InferenceBackend), which is Torch.
        CustomParser = result =>
        {
            string name = result.Tokens[0].Value;
            try
            {
                return InferenceBackends.Parse(name);
            }
            catch (ArgumentException e)
            {
                result.AddError($"--backend {name}: {CliErrors.MessageOf(e)}");
                return default;
            }
        },
    };

    /// <summary><c>--onnx-threads N</c>: ONNX Runtime's intra-op threads; default the <c>--threads</c> value (see <see cref="BackendSetup"/>).</summary>
    public static Option<string> Precision()
    {
        var option = new Option<string>("--precision")
        {
            Description = "With --backend onnx: fp32, or int8 (int8 weights per output channel, activations quantized per call: ONNX Runtime's DynamicQuantizeMatMul)",
            DefaultValueFactory = _ => "fp32",
        };
        option.AcceptOnlyFromAmong("fp32", "int8");
        return option;
    }

    /// <summary><c>--onnx-threads</c>.</summary>
    public static Option<int?> OnnxThreads() => new("--onnx-threads")
    {
        Description = "With --backend onnx: threads per ONNX Runtime session (default: the --threads value; 0 = ONNX Runtime's choice, one per physical core)",
        HelpName = "N",
    };
}
