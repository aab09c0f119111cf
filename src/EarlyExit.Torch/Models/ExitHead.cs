using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models;

/// <summary>
/// The classifier after one layer: pool the token states (see <see cref="ExitPooling"/>),
/// optionally act(dense(·)) (tanh as BERT's pooler; see <see cref="HeadActivation"/>), dropout, then a linear map to class logits.
/// Keys <c>dense</c> (when <see cref="EncoderConfig.HeadDense"/>) and <c>classifier</c>.
/// Heads never share weights (docs/algorithms.md §3).
/// </summary>
internal sealed class ExitHead : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear? dense;
    private readonly Dropout dropout;
    private readonly Linear classifier;
    private readonly ExitPooling _pooling;
    private readonly HeadActivation _activation;

    /// <param name="config">Sizes, pooling and dense layer.</param>
    /// <param name="activation">Between dense and classifier: tanh for internal exits, the config's
    /// <see cref="EncoderConfig.FinalHeadActivation"/> for the last.</param>
    /// <param name="pooling">How this head pools (<see cref="EncoderConfig.PoolingOf"/>); null for the config's <see cref="EncoderConfig.Pooling"/>.</param>
    internal ExitHead(EncoderConfig config, HeadActivation activation = HeadActivation.Tanh, ExitPooling? pooling = null) : base(nameof(ExitHead))
    {
        _activation = activation;
        if (config.HeadDense) dense = nn.Linear(config.HiddenSize, config.HiddenSize);
        dropout = nn.Dropout(config.HiddenDropout);
        classifier = nn.Linear(config.HiddenSize, config.ClassCount);
        _pooling = pooling ?? config.Pooling;
        RegisterComponents();
    }

    /// <param name="hidden">(batch, seq, hidden), a layer's output.</param>
    /// <param name="attentionMask">(batch, seq), 1 for tokens, 0 for padding (any numeric dtype).</param>
    /// <returns>(batch, classes) logits: <see cref="Classify"/> of <see cref="Pool"/>.</returns>
    public override Tensor forward(Tensor hidden, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        return Classify(Pool(hidden, attentionMask)).MoveToOuterDisposeScope();
    }

    /// <summary>The head's input: one vector per row, the token states pooled (no parameters).</summary>
    /// <param name="hidden">(batch, seq, hidden), a layer's output.</param>
    /// <param name="attentionMask">(batch, seq), 1 for tokens, 0 for padding (any numeric dtype).</param>
    /// <returns>(batch, hidden).</returns>
    internal Tensor Pool(Tensor hidden, Tensor attentionMask) => _pooling switch
    {
        ExitPooling.Cls => hidden.select(1, 0), // (batch, hidden): token 0 is [CLS]
        _ => MeanOverMask(hidden, attentionMask),
    };

    /// <summary>The head's parameters applied to pooled states: optional act(dense(·)), dropout, classifier.</summary>
    /// <param name="pooled">(batch, hidden), from <see cref="Pool"/>.</param>
    /// <returns>(batch, classes) logits.</returns>
    internal Tensor Classify(Tensor pooled)
    {
        using var scope = NewDisposeScope();
        if (dense is not null)
        {
            Tensor d = dense.call(pooled);
            pooled = _activation switch
            {
                HeadActivation.Gelu => nn.functional.gelu(d), // ELECTRA's head: get_activation("gelu"), exact
                HeadActivation.Relu => nn.functional.relu(d), // DistilBERT's pre_classifier → ReLU
                _ => d.tanh(),                                // BERT's pooler, RoBERTa's classifier.dense
            };
        }
        return classifier.call(dropout.call(pooled)).MoveToOuterDisposeScope();
    }

    /// <summary>Σ_t mask_t h_t / max(1, Σ_t mask_t), the sentence-transformers mean pooling.</summary>
    private static Tensor MeanOverMask(Tensor hidden, Tensor attentionMask)
    {
        Tensor mask = attentionMask.to_type(hidden.dtype).unsqueeze(-1); // (batch, seq, 1)
        Tensor sum = (hidden * mask).sum(1);                              // (batch, hidden)
        Tensor count = mask.sum(1).clamp_min(1);                          // (batch, 1); a row of padding only divides by 1, not 0
        return sum / count;
    }
}
