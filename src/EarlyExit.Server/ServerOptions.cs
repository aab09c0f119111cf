using EarlyExit.Onnx.Runtime;

namespace EarlyExit.Server;

/// <summary>
/// Everything the server is configured with: the model, the backend that runs it, and the
/// batching and request limits.
/// Bound from the configuration section <see cref="SectionName"/> (command line
/// <c>--EarlyExit:MaxBatchSize=64</c>, environment <c>EarlyExit__MaxBatchSize=64</c>) or built
/// in code and passed to <see cref="EarlyExitServer.Build"/>.
/// </summary>
public sealed class ServerOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "EarlyExit";

    /// <summary>The model directory: a checkpoint (<c>ModelCheckpoint.Save</c>) whose metadata holds the
    /// exit calibration. Required.</summary>
    public string? ModelDirectory { get; init; }

    /// <summary>
    /// Which library computes the layers; default <see cref="InferenceBackend.Torch"/>. Configured by
    /// name, case-insensitive (<c>--backend onnx</c>, <c>EarlyExit__Backend=onnx</c>). Both backends
    /// give the same answers (probabilities within 1e-4); ONNX Runtime is faster on the CPU.
    /// </summary>
    public InferenceBackend Backend { get; init; } = InferenceBackend.Torch;

    /// <summary>
    /// ONNX Runtime's settings when <see cref="Backend"/> is <see cref="InferenceBackend.Onnx"/>
    /// (ignored otherwise); default <see cref="OnnxBackendOptions"/>' defaults. Configured as a
    /// subsection, e.g. <c>--onnx-threads 2</c> or <c>EarlyExit__Onnx__IntraOpThreads=2</c>.
    /// </summary>
    public OnnxBackendOptions Onnx { get; init; } = new();

    /// <summary>How requests are batched; default <see cref="BatchingMode.DepthPooled"/>.</summary>
    public BatchingMode Batching { get; init; } = BatchingMode.DepthPooled;

    /// <summary>Most rows (inputs) one layer call runs on; default 32. <see cref="BatchingMode.Single"/> ignores it.</summary>
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>
    /// The token budget of a batch (rows × its longest row; <see cref="Data.Batching.TokenBudgetBatches"/>); default 4,096.
    /// The static scheduler sorts the rows it takes by length and runs them in batches under it; the
    /// depth-pooled scheduler admits new rows as length-sorted segments under it, and no layer step runs
    /// more padded tokens than it (a pool at the budget is full, whatever its rows).
    /// </summary>
    public int MaxBatchTokens { get; init; } = 4096;

    /// <summary>
    /// Longest an input waits for others to fill a batch when there is nothing else to run;
    /// default 5 ms. Depth-pooled: how long layer 1's pool may wait for company while no row is
    /// deeper in the model. Static: how long a batch waits to fill after its first input arrives.
    /// </summary>
    public TimeSpan MaxQueueDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Most inputs accepted and not yet answered (waiting or running); default 1024. A
    /// request that would exceed it gets 503 with Retry-After.</summary>
    public int QueueCapacity { get; init; } = 1024;

    /// <summary>Most inputs in one request; default 64 (400 above).</summary>
    public int MaxInputsPerRequest { get; init; } = 64;

    /// <summary>Most characters (UTF-16 code units) in one input; default 4096 (400 above). The tokenizer
    /// keeps only the model's first tokens anyway; this bounds the work of tokenizing.</summary>
    public int MaxCharactersPerInput { get; init; } = 4096;

    /// <summary>Most bytes in a request body; default 1 MiB (413 above).</summary>
    public long MaxRequestBodyBytes { get; init; } = 1 << 20;

    /// <summary>Seconds a 503 (queue full, shutting down) tells the client to wait in Retry-After; default 1.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>Whether <see cref="EarlyExitServer.Build"/>'s server logs one line per request (method,
    /// path, status, milliseconds) at Information, category <see cref="EarlyExitServer.RequestLogCategory"/>;
    /// default false: ASP.NET's own per-request entries are logged only from Warning up.</summary>
    public bool RequestLogging { get; init; }

    /// <summary>
    /// How many of the most recent answers can still receive feedback (<c>POST /v1/feedback</c>);
    /// default 10,000. Each keeps its input text until it leaves the window, and never longer.
    /// </summary>
    public int FeedbackWindow { get; init; } = 10_000;

    /// <summary>How many of the most recent feedbacks the realised rates and the alarm are computed over; default 1,000.</summary>
    public int FeedbackSample { get; init; } = 1_000;

    /// <summary>Feedbacks on the default policy's answers needed before the alarm may fire; default 30.</summary>
    public int FeedbackMinimum { get; init; } = 30;

    /// <summary>
    /// The accuracy the alarm holds the default policy to; null (default) takes what its
    /// calibration promised (PCEE's δ, or 1 − ε of <c>calibrate --risk</c>). With neither, no alarm.
    /// </summary>
    public double? AccuracyTarget { get; init; }

    /// <summary>
    /// PCEE's online reliability mapping: each feedback adds its answer's exits to the reliability
    /// diagrams the served PCEE policies use (<c>serve --feedback-refit</c>). Every feedback then
    /// runs its input through the full model once. Off by default: a model's answers do not change
    /// with its traffic unless asked to.
    /// </summary>
    public bool FeedbackRefit { get; init; }

    /// <summary>What <see cref="EarlyExitClassifier.Load(string, EarlyExitClassifierOptions?)"/> takes of these options: the backend and its settings.</summary>
    public EarlyExitClassifierOptions ClassifierOptions => new() { Backend = Backend, Onnx = Onnx };

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">The model directory is missing, or an option (an ONNX one
    /// included, <see cref="OnnxBackendOptions.Validate"/>) is out of range; the message names the
    /// option and its value.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelDirectory))
            throw new ArgumentException($"{nameof(ModelDirectory)} is required: the directory of a calibrated checkpoint", nameof(ModelDirectory));
        if (!Enum.IsDefined(Batching))
            throw new ArgumentException($"{nameof(Batching)} must be one of {string.Join(", ", BatchingModes.Names)}; got {Batching}", nameof(Batching));
        if (!Enum.IsDefined(Backend))
            throw new ArgumentException($"{nameof(Backend)} must be one of {string.Join(", ", InferenceBackends.Names)}; got {Backend}", nameof(Backend));
        ArgumentNullException.ThrowIfNull(Onnx, nameof(Onnx));
        Onnx.Validate();
        AtLeast(MaxBatchSize, 1, nameof(MaxBatchSize));
        AtLeast(MaxBatchTokens, 1, nameof(MaxBatchTokens));
        AtLeast(QueueCapacity, 1, nameof(QueueCapacity));
        AtLeast(MaxInputsPerRequest, 1, nameof(MaxInputsPerRequest));
        AtLeast(MaxCharactersPerInput, 1, nameof(MaxCharactersPerInput));
        AtLeast(MaxRequestBodyBytes, 1, nameof(MaxRequestBodyBytes));
        AtLeast(RetryAfterSeconds, 1, nameof(RetryAfterSeconds));
        AtLeast(FeedbackWindow, 1, nameof(FeedbackWindow));
        AtLeast(FeedbackSample, 1, nameof(FeedbackSample));
        AtLeast(FeedbackMinimum, 1, nameof(FeedbackMinimum));
        if (AccuracyTarget is { } target && !(target > 0 && target <= 1))
            throw new ArgumentOutOfRangeException(nameof(AccuracyTarget), target, $"{nameof(AccuracyTarget)} must be in (0, 1]; got {target}");
        if (MaxQueueDelay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MaxQueueDelay), MaxQueueDelay, $"{nameof(MaxQueueDelay)} must not be negative; got {MaxQueueDelay}");
    }

    private static void AtLeast(long value, long minimum, string name)
    {
        if (value < minimum)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least {minimum}; got {value}");
    }
}
