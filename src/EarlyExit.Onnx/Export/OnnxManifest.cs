using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyExit.Core.IO;
using EarlyExit.Torch.Models;

namespace EarlyExit.Onnx.Export;

/// <summary>
/// <c>manifest.json</c> beside the per-segment ONNX files (<see cref="OnnxSegments.Save"/>): what another
/// runtime needs to run the early-exit model without this library — the inputs, which file runs at
/// each step and what feeds it, the label names, the cost of each exit, the tokenizer and the
/// calibrated default policy.
/// </summary>
/// <remarks>
/// The run it describes is the one <see cref="Runtime.OnnxExitModel"/> does: step 0 runs
/// <see cref="OnnxSegments.FirstFileName"/> on the token inputs; step k ≥ 1 runs
/// <see cref="OnnxSegments.LayerFileName"/>(k) on the previous step's <c>hidden_out</c> and step 0's
/// <c>attention_bias</c>; every step yields exit k's <c>logits</c>, and a row whose policy exits at
/// k needs no later step. The format is versioned (<see cref="FormatVersion"/>) so a reader can refuse
/// one it does not know.
/// </remarks>
public static class OnnxManifest
{
    /// <summary>The manifest's file name.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The manifest format this code writes.</summary>
    public const int FormatVersion = 1;

    /// <summary>The manifest of <paramref name="segments"/> as JSON.</summary>
    /// <param name="segments">The exported segments.</param>
    /// <param name="labelNames">Class names, index = class id.</param>
    /// <param name="cumulativeFlops">FLOPs to reach each exit for one input of <paramref name="referenceTokens"/> tokens.</param>
    /// <param name="referenceTokens">The token count the FLOPs are for.</param>
    /// <param name="tokenizer">How to tokenize (kind, files, maximum length), or null.</param>
    /// <param name="calibration">The model's calibration as stored in its checkpoint, or null when uncalibrated.</param>
    /// <exception cref="ArgumentException">The label names or FLOPs do not match the model.</exception>
    public static JsonObject Create(OnnxSegments segments, IReadOnlyList<string> labelNames, IReadOnlyList<double> cumulativeFlops,
        int referenceTokens, JsonObject? tokenizer, JsonObject? calibration)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(labelNames);
        ArgumentNullException.ThrowIfNull(cumulativeFlops);
        EncoderConfig config = segments.Config;
        if (labelNames.Count != config.ClassCount)
            throw new ArgumentException($"labelNames must name the model's {config.ClassCount} classes; got {labelNames.Count}", nameof(labelNames));
        if (cumulativeFlops.Count != config.LayerCount)
            throw new ArgumentException($"cumulativeFlops must hold one value per exit ({config.LayerCount}); got {cumulativeFlops.Count}", nameof(cumulativeFlops));

        static JsonObject Tensor(string name, string dtype, params object[] shape) => new()
        {
            ["name"] = name,
            ["dtype"] = dtype,
            ["shape"] = new JsonArray([.. shape.Select(d => d is string s ? (JsonNode)s : (JsonNode)(long)d)]),
        };
        var steps = new JsonArray();
        for (int k = 0; k < config.LayerCount; k++)
        {
            steps.Add(k == 0
                ? new JsonObject
                {
                    ["exit"] = 0,
                    ["file"] = OnnxSegments.FirstFileName,
                    ["inputs"] = new JsonObject
                    {
                        [OnnxTensorNames.InputIds] = "input",
                        [OnnxTensorNames.TokenTypeIds] = "input",
                        [OnnxTensorNames.AttentionMask] = "input",
                    },
                    ["outputs"] = new JsonArray(OnnxTensorNames.HiddenOut, OnnxTensorNames.AttentionBias, OnnxTensorNames.Logits),
                }
                : new JsonObject
                {
                    ["exit"] = k,
                    ["file"] = OnnxSegments.LayerFileName(k),
                    ["inputs"] = new JsonObject
                    {
                        [OnnxTensorNames.Hidden] = $"step {k - 1}: {OnnxTensorNames.HiddenOut}",
                        [OnnxTensorNames.AttentionBias] = $"step 0: {OnnxTensorNames.AttentionBias}",
                    },
                    ["outputs"] = new JsonArray(OnnxTensorNames.HiddenOut, OnnxTensorNames.Logits),
                });
        }
        return new JsonObject
        {
            ["format"] = "earlyexit-onnx-segments",
            ["format_version"] = FormatVersion,
            ["how_to_run"] = "Run the steps in order. Step 0 takes the token inputs; step k takes the previous step's hidden_out and step 0's attention_bias. "
                + "Every step gives exit k's logits (batch, classes); softmax them, ask the policy whether the row exits at k, and run the next step only on the rows that did not. "
                + "embeddings.onnx and exit_k.onnx run the embeddings or head k alone, for callers that keep hidden states.",
            ["exit_count"] = config.LayerCount,
            ["class_count"] = config.ClassCount,
            ["labels"] = new JsonArray([.. labelNames.Select(n => (JsonNode)n)]),
            ["inputs"] = new JsonArray(
                Tensor(OnnxTensorNames.InputIds, "int64", "batch", "sequence"),
                Tensor(OnnxTensorNames.TokenTypeIds, "int64", "batch", "sequence"),
                Tensor(OnnxTensorNames.AttentionMask, "int64", "batch", "sequence")),
            ["outputs"] = new JsonArray(
                Tensor(OnnxTensorNames.Logits, "float32", "batch", (long)config.ClassCount),
                Tensor(OnnxTensorNames.HiddenOut, "float32", "batch", "sequence", (long)config.HiddenSize),
                Tensor(OnnxTensorNames.AttentionBias, "float32", "batch", 1L, 1L, "sequence")),
            ["steps"] = steps,
            ["max_positions"] = config.MaxPositions,
            ["exit_flops"] = new JsonObject
            {
                ["tokens"] = referenceTokens,
                ["cumulative"] = new JsonArray([.. cumulativeFlops.Select(f => (JsonNode)f)]),
            },
            ["tokenizer"] = tokenizer?.DeepClone(),
            ["calibration"] = calibration?.DeepClone(),
        };
    }

    /// <summary>Writes the segments and their manifest into <paramref name="directory"/>, every file atomically, the manifest last.</summary>
    /// <param name="directory">The target folder (created if missing).</param>
    /// <param name="segments">The exported segments.</param>
    /// <param name="manifest">From <see cref="Create"/>.</param>
    public static void Save(string directory, OnnxSegments segments, JsonObject manifest)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(manifest);
        segments.Save(directory);
        // Last: a reader that finds the manifest finds every file it names.
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
