using EarlyExit.Data.Tokenization;
using EarlyExit.Onnx.Runtime;
using EarlyExit.Torch.Pretrained;
using EarlyExit.Torch.Runtime;

namespace EarlyExit.Onnx.Tests.TestDoubles;

/// <summary>
/// MiniLM's pretrained backbone with fresh 3-way heads drawn from a fixed seed, once per test run,
/// with both backends over the same weights: the TorchSharp encoder and the ONNX export of it.
/// </summary>
/// <remarks>
/// Touch <see cref="Torch"/> and <see cref="Onnx"/> before opening a <c>NewDisposeScope()</c>: if
/// the first touch creates the encoder inside a scope, TorchSharp registers the embedding tables'
/// parameter wrappers with that scope, which disposes them when it closes, and later calls find
/// the encoder without them.
/// </remarks>
internal static class MiniLmFixture
{
    public const int Classes = 3;

    private static readonly Lazy<EncoderExitModel> SharedTorch = new(CreateTorch, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<OnnxExitModel> SharedOnnx = new(
        () => OnnxExitModel.Create(Torch.Encoder, Options), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>One intra-op thread: the test machine is shared, and results must not depend on the thread count.</summary>
    public static OnnxBackendOptions Options { get; } = new() { IntraOpThreads = 1 };

    public static EncoderExitModel Torch => SharedTorch.Value;

    public static OnnxExitModel Onnx => SharedOnnx.Value;

    public static TextTokenizer Tokenizer { get; } = TextTokenizer.ForMiniLm();

    /// <summary>Real sentences of 4 to 20 word pieces, so a batch of them is padded.</summary>
    public static IReadOnlyList<string> Sentences { get; } =
    [
        "The quick brown fox jumps over the lazy dog.",
        "I loved this movie!",
        "Early exiting stops computing once an input is easy enough to classify.",
        "The service was slow, the food was cold and the waiter forgot our drinks twice.",
        "Paris is the capital of France.",
        "Terrible.",
        "A man is playing a guitar on a crowded street corner while children dance around him.",
        "Stock markets fell sharply on Monday after the central bank raised interest rates again.",
    ];

    // Seeded heads: the logits spread from unsure to confident, so policies exit at different layers.
    private static EncoderExitModel CreateTorch() => new(AllMiniLmL6V2.CreateEncoder(Classes, headSeed: 20240601));
}
