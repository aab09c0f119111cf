using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models;

/// <summary>
/// BERT's input layer: word + position + token-type embeddings, then LayerNorm and dropout; with
/// <see cref="EncoderConfig.EmbeddingSize"/> set, a linear projection to the hidden size after them
/// (ELECTRA's <c>embeddings_project</c>, ALBERT's <c>embedding_hidden_mapping_in</c>).
/// Field names are Hugging Face BERT's so state-dict keys read <c>embeddings.word_embeddings.weight</c>;
/// the projection is <c>embeddings.projection</c>.
/// </summary>
internal sealed class BertEmbeddings : nn.Module<Tensor, Tensor, Tensor>
{
    // Field names are the checkpoint's keys (RegisterComponents uses them). Null fields register nothing,
    // so a BERT checkpoint's keys are exactly what they were before the optional parts existed.
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding? token_type_embeddings;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;
    private readonly Linear? projection;
    private readonly bool _positionsFromPadding;
    private readonly long _paddingId;

    internal BertEmbeddings(EncoderConfig config) : base(nameof(BertEmbeddings))
    {
        int width = config.EmbeddingSize ?? config.HiddenSize;
        word_embeddings = nn.Embedding(config.VocabularySize, width);
        position_embeddings = nn.Embedding(config.MaxPositions, width);
        if (config.TypeVocabularySize > 0) token_type_embeddings = nn.Embedding(config.TypeVocabularySize, width);
        LayerNorm = nn.LayerNorm(width, config.LayerNormEpsilon);
        dropout = nn.Dropout(config.HiddenDropout);
        if (config.EmbeddingSize is not null) projection = nn.Linear(width, config.HiddenSize);
        _positionsFromPadding = config.PositionsFromPadding;
        _paddingId = config.PaddingId;
        RegisterComponents();
    }

    /// <param name="inputIds">(batch, seq) int64 word-piece ids.</param>
    /// <param name="tokenTypeIds">(batch, seq) int64 segment ids (0 for sentence A, 1 for B); unused without token types.</param>
    /// <returns>(batch, seq, hidden).</returns>
    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        Tensor positions;
        if (_positionsFromPadding)
        {
            // RoBERTa's create_position_ids_from_input_ids: real tokens count 1, 2, … from the left,
            // offset by the padding id; padding gets the padding id itself. (batch, seq)
            Tensor real = inputIds.ne(_paddingId).to_type(ScalarType.Int64);
            positions = real.cumsum(1) * real + _paddingId;
        }
        else
        {
            // Positions 0..seq-1 for every row: (1, seq), broadcast over the batch by the sum below.
            positions = arange(inputIds.shape[1], dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
        }
        Tensor sum = word_embeddings.call(inputIds) + position_embeddings.call(positions);
        if (token_type_embeddings is not null) sum = sum + token_type_embeddings.call(tokenTypeIds);
        Tensor embedded = dropout.call(LayerNorm.call(sum));
        if (projection is not null) embedded = projection.call(embedded);
        return embedded.MoveToOuterDisposeScope();
    }
}
