using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models;

/// <summary>
/// BERT's input layer: word + position + token-type embeddings, then LayerNorm and dropout.
/// Field names are Hugging Face's so state-dict keys read <c>embeddings.word_embeddings.weight</c>.
/// </summary>
internal sealed class BertEmbeddings : nn.Module<Tensor, Tensor, Tensor>
{
    // Field names are the checkpoint's keys (RegisterComponents uses them).
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;

    internal BertEmbeddings(EncoderConfig config) : base(nameof(BertEmbeddings))
    {
        word_embeddings = nn.Embedding(config.VocabularySize, config.HiddenSize);
        position_embeddings = nn.Embedding(config.MaxPositions, config.HiddenSize);
        token_type_embeddings = nn.Embedding(config.TypeVocabularySize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        dropout = nn.Dropout(config.HiddenDropout);
        RegisterComponents();
    }

    /// <param name="inputIds">(batch, seq) int64 word-piece ids.</param>
    /// <param name="tokenTypeIds">(batch, seq) int64 segment ids (0 for sentence A, 1 for B).</param>
    /// <returns>(batch, seq, hidden).</returns>
    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        long seq = inputIds.shape[1];
        // Positions 0..seq-1 for every row: (1, seq), broadcast over the batch by the sum below.
        Tensor positions = arange(seq, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
        Tensor sum = word_embeddings.call(inputIds)
            + position_embeddings.call(positions)
            + token_type_embeddings.call(tokenTypeIds);
        return dropout.call(LayerNorm.call(sum)).MoveToOuterDisposeScope();
    }
}
