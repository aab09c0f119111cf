using EarlyExit.Onnx.Runtime;

namespace EarlyExit.Cli.Scoring;

/// <summary>What <c>earlyexit score</c> was asked to do.</summary>
public sealed record ScoreSettings
{
    /// <summary>The model folder (<c>--model</c>).</summary>
    public required string Model { get; init; }

    /// <summary>The input file (<c>--input</c>).</summary>
    public required string Input { get; init; }

    /// <summary>The output file (<c>--output</c>).</summary>
    public required string Output { get; init; }

    /// <summary><c>--input-format</c>: csv, tsv or jsonl; null = from the input's extension.</summary>
    public string? InputFormat { get; init; }

    /// <summary><c>--output-format</c>: csv, tsv or jsonl; null = from the output's extension.</summary>
    public string? OutputFormat { get; init; }

    /// <summary><c>--text-column</c>: the field holding the text. Default "text".</summary>
    public string TextColumn { get; init; } = "text";

    /// <summary><c>--id-column</c>: the field carried through as each row's id; null = the 1-based row number.</summary>
    public string? IdColumn { get; init; }

    /// <summary><c>--all-probabilities</c>: a p_CLASS column per class.</summary>
    public bool AllProbabilities { get; init; }

    /// <summary><c>--policy</c>; null = the model's default.</summary>
    public string? Policy { get; init; }

    /// <summary><c>--param</c>; null = the policy's default.</summary>
    public double? Parameter { get; init; }

    /// <summary><c>--window</c>: rows read, tokenized and committed together. Default 4,096.</summary>
    public int Window { get; init; } = 4096;

    /// <summary><c>--max-batch-tokens</c>: the token budget of a batch. Default 4,096.</summary>
    public int MaxBatchTokens { get; init; } = EarlyExitClassifierOptions.DefaultMaxBatchTokens;

    /// <summary><c>--batch-size</c>: the most rows a batch holds. Default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary><c>--on-error</c>: "fail" (default: the first bad row stops the run, naming its line) or "skip" (into the errors file).</summary>
    public string OnError { get; init; } = "fail";

    /// <summary><c>--errors</c>: where skipped rows go; null = OUTPUT.errors.tsv.</summary>
    public string? Errors { get; init; }

    /// <summary>The errors file: <see cref="Errors"/>, or OUTPUT.errors.tsv.</summary>
    public string ErrorsPath => Errors ?? Output + ".errors.tsv";

    /// <summary><c>--resume</c>: continue after the last committed row of an interrupted run.</summary>
    public bool Resume { get; init; }

    /// <summary>The backend.</summary>
    public InferenceBackend Backend { get; init; } = InferenceBackend.Torch;

    /// <summary><c>--precision</c>: fp32 or int8 (ONNX backend).</summary>
    public string Precision { get; init; } = "fp32";

    /// <summary><c>--onnx-threads</c>.</summary>
    public int? OnnxThreads { get; init; }

    /// <summary><c>--nats</c> and its settings: score on workers through JetStream; null = on this machine.</summary>
    public EarlyExit.Nats.NatsScoringOptions? Nats { get; init; }

    /// <summary>Torch threads.</summary>
    public int Threads { get; init; } = Models.TrainingDefaults.Threads;
}
