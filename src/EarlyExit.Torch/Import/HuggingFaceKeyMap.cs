using System.Text.RegularExpressions;
using EarlyExit.Torch.Models;

namespace EarlyExit.Torch.Import;

/// <summary>
/// The one table between our state-dict names and Hugging Face's, per architecture; import and
/// export both use it, so a round trip is exact. Our names are BERT's for every architecture
/// (<c>encoder.layer.k.attention.self.query</c>, …) plus <c>embeddings.projection</c> and
/// <c>exits.k.*</c>; the final exit is the HF classification head, internal exits have no HF name.
/// </summary>
internal static class HuggingFaceKeyMap
{
    private sealed record Rule(Regex Ours, string Hf);

    // "{last}" is the final exit's index. Rules are tried in order; the first match renames the key's prefix.
    private static readonly Dictionary<EncoderArchitecture, (string Ours, string Hf)[]> Table = new()
    {
        [EncoderArchitecture.Bert] =
        [
            (@"embeddings\.", "bert.embeddings."),
            (@"encoder\.layer\.", "bert.encoder.layer."),
            (@"exits\.{last}\.dense\.", "bert.pooler.dense."),
            (@"exits\.{last}\.classifier\.", "classifier."),
        ],
        [EncoderArchitecture.Roberta] = RobertaLike("roberta."),
        [EncoderArchitecture.XlmRoberta] = RobertaLike("roberta."), // XLMRobertaForSequenceClassification keeps self.roberta
        [EncoderArchitecture.Electra] =
        [
            (@"embeddings\.projection\.", "electra.embeddings_project."),
            .. RobertaLike("electra."),
        ],
        [EncoderArchitecture.DistilBert] =
        [
            (@"embeddings\.", "distilbert.embeddings."),
            (@"encoder\.layer\.(\d+)\.attention\.self\.query\.", "distilbert.transformer.layer.$1.attention.q_lin."),
            (@"encoder\.layer\.(\d+)\.attention\.self\.key\.", "distilbert.transformer.layer.$1.attention.k_lin."),
            (@"encoder\.layer\.(\d+)\.attention\.self\.value\.", "distilbert.transformer.layer.$1.attention.v_lin."),
            (@"encoder\.layer\.(\d+)\.attention\.output\.dense\.", "distilbert.transformer.layer.$1.attention.out_lin."),
            (@"encoder\.layer\.(\d+)\.attention\.output\.LayerNorm\.", "distilbert.transformer.layer.$1.sa_layer_norm."),
            (@"encoder\.layer\.(\d+)\.intermediate\.dense\.", "distilbert.transformer.layer.$1.ffn.lin1."),
            (@"encoder\.layer\.(\d+)\.output\.dense\.", "distilbert.transformer.layer.$1.ffn.lin2."),
            (@"encoder\.layer\.(\d+)\.output\.LayerNorm\.", "distilbert.transformer.layer.$1.output_layer_norm."),
            (@"exits\.{last}\.dense\.", "pre_classifier."),
            (@"exits\.{last}\.classifier\.", "classifier."),
        ],
        [EncoderArchitecture.Albert] =
        [
            (@"embeddings\.projection\.", "albert.encoder.embedding_hidden_mapping_in."),
            (@"embeddings\.", "albert.embeddings."),
            (@"encoder\.layer\.0\.attention\.self\.", "albert.encoder.albert_layer_groups.0.albert_layers.0.attention."),
            (@"encoder\.layer\.0\.attention\.output\.dense\.", "albert.encoder.albert_layer_groups.0.albert_layers.0.attention.dense."),
            (@"encoder\.layer\.0\.attention\.output\.LayerNorm\.", "albert.encoder.albert_layer_groups.0.albert_layers.0.attention.LayerNorm."),
            (@"encoder\.layer\.0\.intermediate\.dense\.", "albert.encoder.albert_layer_groups.0.albert_layers.0.ffn."),
            (@"encoder\.layer\.0\.output\.dense\.", "albert.encoder.albert_layer_groups.0.albert_layers.0.ffn_output."),
            (@"encoder\.layer\.0\.output\.LayerNorm\.", "albert.encoder.albert_layer_groups.0.albert_layers.0.full_layer_layer_norm."),
            (@"exits\.{last}\.dense\.", "albert.pooler."),
            (@"exits\.{last}\.classifier\.", "classifier."),
        ],
    };

    private static (string, string)[] RobertaLike(string prefix) =>
    [
        (@"embeddings\.", prefix + "embeddings."),
        (@"encoder\.layer\.", prefix + "encoder.layer."),
        (@"exits\.{last}\.dense\.", "classifier.dense."),
        (@"exits\.{last}\.classifier\.", "classifier.out_proj."),
    ];

    /// <summary>The backbone's key prefix in a <c>*ForSequenceClassification</c> checkpoint (a bare model's keys lack it).</summary>
    internal static string Prefix(EncoderArchitecture architecture) => architecture switch
    {
        EncoderArchitecture.Bert => "bert.",
        EncoderArchitecture.DistilBert => "distilbert.",
        EncoderArchitecture.Roberta or EncoderArchitecture.XlmRoberta => "roberta.",
        EncoderArchitecture.Electra => "electra.",
        EncoderArchitecture.Albert => "albert.",
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "unknown architecture"),
    };

    /// <summary>The Hugging Face name of our key <paramref name="ours"/>, or null for an internal exit's (it has none).</summary>
    internal static string? ToHf(EncoderArchitecture architecture, int layerCount, string ours)
    {
        foreach (var (pattern, hf) in Table[architecture])
        {
            var regex = new Regex("^" + pattern.Replace("{last}", (layerCount - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), RegexOptions.CultureInvariant);
            Match m = regex.Match(ours);
            if (m.Success) return m.Result(hf) + ours[m.Length..];
        }
        if (ours.StartsWith("exits.", StringComparison.Ordinal)) return null;
        throw new InvalidOperationException($"no Hugging Face name for {ours} in the {architecture} table");
    }

    /// <summary>Keys a checkpoint writes without the backbone prefix: the classification head and pre-training heads.</summary>
    internal static bool IsOutsideBackbone(string hfKey) =>
        hfKey.StartsWith("classifier.", StringComparison.Ordinal) || hfKey.StartsWith("pre_classifier.", StringComparison.Ordinal)
        || PretrainingHeads.Any(h => hfKey.StartsWith(h, StringComparison.Ordinal));

    private static readonly string[] PretrainingHeads = ["cls.", "lm_head.", "discriminator_predictions.", "generator_predictions.",
        "generator_lm_head.", "vocab_transform.", "vocab_layer_norm.", "vocab_projector.", "predictions.", "sop_classifier."];

    /// <summary>
    /// Keys a checkpoint may hold that no forward of ours reads: HF's non-persistent position/type id
    /// buffers (older files persist them), a bare model's pooler, and pre-training heads (masked LM,
    /// next-sentence, replaced-token detection, sentence order). Anything else unmapped is an error.
    /// </summary>
    internal static bool IsIgnorable(EncoderArchitecture architecture, string hfKey)
    {
        string p = Prefix(architecture);
        if (hfKey == p + "embeddings.position_ids" || hfKey == p + "embeddings.token_type_ids") return true;
        if (hfKey.StartsWith(p + "pooler.", StringComparison.Ordinal)) return true;
        return PretrainingHeads.Any(h => hfKey.StartsWith(h, StringComparison.Ordinal));
    }
}
