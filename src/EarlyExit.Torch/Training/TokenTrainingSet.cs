using EarlyExit.Data.Datasets;
using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Models;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// Tokenized texts for a <see cref="MultiExitEncoder"/>: each batch is padded to its longest row
/// and collated as (ids, segment ids, mask), each (batch, seq) int64. Texts are not augmented.
/// </summary>
public sealed class TokenTrainingSet : ITrainingSet
{
    private readonly IReadOnlyList<TrainingExample> _examples;

    /// <summary>Wraps <paramref name="examples"/> after checking each against <paramref name="config"/>.</summary>
    /// <param name="examples">At least one example.</param>
    /// <param name="config">The encoder's sizes: classes, positions, vocabulary.</param>
    /// <param name="name">The examples' name in messages (e.g. "train").</param>
    /// <exception cref="ArgumentException">No examples, a null one, a label outside the classes, an
    /// example longer than the positions, or a token id outside the vocabulary; the message names its index.</exception>
    public TokenTrainingSet(IReadOnlyList<TrainingExample> examples, EncoderConfig config, string name = "examples")
    {
        ArgumentNullException.ThrowIfNull(examples, name);
        ArgumentNullException.ThrowIfNull(config);
        if (examples.Count == 0)
            throw new ArgumentException($"{name} must hold at least one example; got none", name);
        int classes = config.ClassCount, positions = config.MaxSequenceLength, vocabulary = config.VocabularySize;
        for (int i = 0; i < examples.Count; i++)
        {
            TrainingExample e = examples[i] ?? throw new ArgumentException($"{name}[{i}] is null", name);
            if (e.Label >= classes)
                throw new ArgumentException($"{name}[{i}] has label {e.Label}; the model has {classes} classes (0 to {classes - 1})", name);
            if (e.Length > positions)
                throw new ArgumentException($"{name}[{i}] has {e.Length} tokens; the model has {positions} positions", name);
            foreach (long id in e.InputIds)
            {
                if ((ulong)id >= (ulong)vocabulary)
                    throw new ArgumentException($"{name}[{i}] has token id {id}; the vocabulary has {vocabulary} ids", name);
            }
        }
        _examples = examples;
        IsLabelled = examples.All(e => e.IsLabelled);
    }

    /// <summary>Tokenizes labelled texts (and text pairs) and wraps them, checked against <paramref name="config"/>.</summary>
    /// <param name="examples">At least one example.</param>
    /// <param name="tokenizer">The model's tokenizer; its maximum length truncates.</param>
    /// <param name="config">The encoder's sizes: classes, positions, vocabulary.</param>
    /// <param name="name">The examples' name in messages (e.g. "train").</param>
    /// <param name="progress">Receives the number of examples tokenized so far, after every chunk of them.</param>
    /// <exception cref="ArgumentException">As for the constructor.</exception>
    public static TokenTrainingSet Tokenize(IReadOnlyList<TextExample> examples, TextTokenizer tokenizer, EncoderConfig config,
        string name = "examples", IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(examples, name);
        ArgumentNullException.ThrowIfNull(tokenizer);
        // Chunks, not one batch: one padded batch of a whole split would hold split size × longest
        // text ids three times over (ids, segments, mask), and could report no progress.
        const int Chunk = 256;
        var tokenized = new List<TrainingExample>(examples.Count);
        foreach (TextExample[] chunk in examples.Chunk(Chunk))
        {
            TokenBatch batch = tokenizer.EncodeExamples(chunk);
            for (int row = 0; row < chunk.Length; row++)
                tokenized.Add(TrainingExample.FromPaddedRow(batch.InputIdsOf(row), batch.TokenTypeIdsOf(row), batch.AttentionMaskOf(row), chunk[row].Label));
            progress?.Report(tokenized.Count);
        }
        return new TokenTrainingSet(tokenized, config, name);
    }

    /// <summary>
    /// Tokenizes texts without labels (<see cref="TrainingExample.NoLabel"/>), for a label-free
    /// objective (docs/algorithms.md §3.5), and wraps them, checked against <paramref name="config"/>.
    /// </summary>
    /// <param name="texts">At least one text.</param>
    /// <param name="tokenizer">The model's tokenizer; its maximum length truncates.</param>
    /// <param name="config">The encoder's sizes: positions, vocabulary.</param>
    /// <param name="name">The texts' name in messages (e.g. "train").</param>
    /// <param name="progress">Receives the number of texts tokenized so far, after every chunk of them.</param>
    /// <exception cref="ArgumentException">As for the constructor.</exception>
    public static TokenTrainingSet TokenizeUnlabelled(IReadOnlyList<string> texts, TextTokenizer tokenizer, EncoderConfig config,
        string name = "texts", IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(texts, name);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var tokenized = new List<TrainingExample>(texts.Count);
        foreach (string[] chunk in texts.Chunk(256))
        {
            TokenBatch batch = tokenizer.EncodeBatch(chunk);
            for (int row = 0; row < chunk.Length; row++)
                tokenized.Add(TrainingExample.FromPaddedRow(batch.InputIdsOf(row), batch.TokenTypeIdsOf(row), batch.AttentionMaskOf(row), TrainingExample.NoLabel));
            progress?.Report(tokenized.Count);
        }
        return new TokenTrainingSet(tokenized, config, name);
    }

    /// <inheritdoc/>
    public int Count => _examples.Count;

    /// <inheritdoc/>
    public bool IsLabelled { get; }

    /// <summary>Pads the rows to the longest with id 0 and mask 0 (the mask hides padding, so the id only has to exist).</summary>
    /// <param name="rows">Example indices.</param>
    /// <param name="augmentationSeed">Ignored: texts are not augmented.</param>
    /// <returns>Inputs (ids, segment ids, mask), each (batch, seq) int64; labels (batch) int64.</returns>
    public TrainingBatch Collate(ReadOnlySpan<int> rows, long? augmentationSeed)
    {
        int width = 0;
        foreach (int r in rows) width = Math.Max(width, _examples[r].Length);
        var ids = new long[rows.Length * width];
        var types = new long[rows.Length * width];
        var mask = new long[rows.Length * width];
        var labels = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            TrainingExample e = _examples[rows[i]];
            e.InputIds.CopyTo(ids, i * width);
            e.TokenTypeIds?.CopyTo(types, i * width);
            mask.AsSpan(i * width, e.Length).Fill(1);
            labels[i] = e.Label;
        }
        long[] shape = [rows.Length, width];
        return new TrainingBatch([tensor(ids, shape), tensor(types, shape), tensor(mask, shape)], tensor(labels));
    }
}
