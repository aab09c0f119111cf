using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using EarlyExit.Cli.Outputs;
using EarlyExit.Core.IO;
using EarlyExit.Onnx.Export;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Import;
using EarlyExit.Torch.Runtime;

namespace EarlyExit.Cli.Commands;

/// <summary>
/// <c>earlyexit export</c>: writes a model folder in a form other tools read. <c>--format hf</c>: a
/// Hugging Face folder of the backbone and the final exit as a <c>*ForSequenceClassification</c>
/// checkpoint (what <c>--model hf:PATH</c> reads back bit for bit), the internal exits in their own
/// <c>exit_heads.safetensors</c>, and the tokenizer files. <c>--format onnx</c>: the per-segment ONNX
/// graphs the ONNX backend runs, with a <c>manifest.json</c> another runtime can follow
/// (<see cref="OnnxManifest"/>). Either is written whole or not at all (<see cref="AtomicDirectory"/>).
/// </summary>
public static class ExportCommand
{
    /// <summary>The formats <c>--format</c> accepts.</summary>
    public static IReadOnlyList<string> Formats { get; } = ["hf", "onnx"];

    /// <summary>The examples <c>--help</c> prints.</summary>
    internal const string Examples = """
          earlyexit export --model models/reviews --format hf --out exported/reviews-hf
          earlyexit export --model models/spam --format onnx --out exported/spam-onnx
        """;

    /// <summary>Builds the <c>export</c> command.</summary>
    /// <param name="context">Writers and the cancellation token.</param>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = CliOptions.ModelDirectory();
        var format = new Option<string>("--format") { Description = "hf (a Hugging Face folder) or onnx (per-segment graphs and a manifest)", Required = true };
        format.AcceptOnlyFromAmong([.. Formats]);
        var output = new Option<string>("--out") { Description = "The folder to write (replaced whole if it exists)", HelpName = "DIR", Required = true };
        var command = new Command("export", "Write a model as a Hugging Face folder or as per-segment ONNX graphs with a manifest.")
        {
            model, format, output,
        };
        command.SetAction(parse => (int)CliRunner.Run(context.Error, () => Run(
            parse.GetValue(model)!, parse.GetValue(format)!, parse.GetValue(output)!, context.Out, context.Error), context.CancellationToken));
        return command;
    }

    /// <summary>Exports <paramref name="model"/> as <paramref name="format"/> into <paramref name="output"/>.</summary>
    /// <param name="model">The model folder (<c>--model</c>), or <c>hf:PATH</c>.</param>
    /// <param name="format">hf or onnx.</param>
    /// <param name="output">The folder to write.</param>
    /// <param name="stdout">The folder written.</param>
    /// <param name="stderr">Logs.</param>
    /// <returns><see cref="CliExitStatus.Success"/>.</returns>
    /// <exception cref="CliException">An unknown format, a missing or corrupt model, a model the format cannot hold, or an unwritable folder.</exception>
    public static CliExitStatus Run(string model, string format, string output, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!Formats.Contains(format, StringComparer.OrdinalIgnoreCase))
            throw new CliException($"--format must be one of {string.Join(", ", Formats)}; got '{format}'");
        ModelDirectory folder = ModelDirectory.Open(model);
        OutputPath.RequireFolder("--out", output);
        if (string.Equals(Path.GetFullPath(output), folder.Path, StringComparison.Ordinal))
            throw new CliException($"--out {output} is the model folder itself; export into another folder");
        LoadedCheckpoint checkpoint = folder.LoadModel();
        using (checkpoint.Model)
        {
            string target = Path.GetFullPath(output);
            if (string.Equals(format, "onnx", StringComparison.OrdinalIgnoreCase)) ExportOnnx(folder, checkpoint, target);
            else ExportHuggingFace(folder, checkpoint, target);
            stderr.WriteLine($"exported {folder.Path} as {format.ToLowerInvariant()}");
            stdout.WriteLine(target);
        }
        return CliExitStatus.Success;
    }

    private static void ExportOnnx(ModelDirectory folder, LoadedCheckpoint checkpoint, string target)
    {
        OnnxSegments segments = OnnxExporter.ExportSegments(checkpoint.Model);
        var runtime = new EncoderExitModel(checkpoint.Model);
        int tokens = checkpoint.Metadata.Tokenizer?.MaxLength ?? checkpoint.Model.Config.MaxPositions;
        double[] flops = [.. Enumerable.Range(0, runtime.ExitCount).Select(k => ModelFlops.UpToExit(runtime, k, tokens))];
        AtomicDirectory.Replace(target, fresh =>
        {
            JsonObject? tokenizer = folder.WriteTokenizerFiles(checkpoint.Metadata, Path.Combine(fresh, ModelDirectory.TokenizerFolderName));
            JsonObject manifest = OnnxManifest.Create(segments, checkpoint.Metadata.LabelNames, flops, tokens, tokenizer, checkpoint.Metadata.Calibration);
            OnnxManifest.Save(fresh, segments, manifest);
        });
    }

    private static void ExportHuggingFace(ModelDirectory folder, LoadedCheckpoint checkpoint, string target)
    {
        try
        {
            // Write checks the model fits a Hugging Face head before it writes a file; a refusal inside
            // Replace leaves the target as it was.
            AtomicDirectory.Replace(target, fresh =>
            {
                HuggingFaceModel.Write(checkpoint.Model, checkpoint.Metadata.LabelNames, fresh);
                folder.WriteTokenizerFiles(checkpoint.Metadata, fresh);
            });
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--model {folder.Path}: cannot be written as a Hugging Face folder: {CliErrors.MessageOf(e)}", CliExitStatus.UserError, e);
        }
    }
}
