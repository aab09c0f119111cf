using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using EarlyExit.Nats;

namespace EarlyExit.Cli.Commands;

/// <summary>
/// The JetStream options <c>score --nats</c> and <c>worker</c> share (stream and consumer settings,
/// defaults from <see cref="NatsScoringOptions"/>), and the pool a model folder's workers form.
/// </summary>
internal sealed class NatsCommandOptions
{
    private static readonly NatsScoringOptions Defaults = new() { Url = "nats://127.0.0.1:4222" };

    private readonly bool _submitter;

    /// <param name="required">True for the worker (it needs a server); false for score, where --nats chooses workers over this machine.</param>
    public NatsCommandOptions(bool required)
    {
        _submitter = !required;
        Url = new Option<string?>("--nats")
        {
            Description = required ? "The NATS server(s) with JetStream, e.g. nats://127.0.0.1:4222 (comma-separated for a cluster)"
                : "Score on earlyexit workers through this NATS JetStream server (e.g. nats://127.0.0.1:4222) instead of on this machine; the output is the same",
            Required = required,
            HelpName = "URL",
        };
    }

    public Option<string?> Url { get; }

    public Option<string> Prefix { get; } = new("--nats-prefix") { Description = "First token of the subjects and prefix of the stream names", DefaultValueFactory = _ => Defaults.Prefix };

    public Option<int> Replicas { get; } = new("--replicas") { Description = "Copies of each stream in a NATS cluster (3 on a three-node cluster)", DefaultValueFactory = _ => Defaults.Replicas };

    public Option<string> Storage { get; } = CreateStorage();

    public Option<double> AckWait { get; } = new("--ack-wait") { Description = "Seconds a worker may hold a chunk without a sign of life before it is redelivered (workers beat every third of it)", DefaultValueFactory = _ => Defaults.AckWait.TotalSeconds };

    public Option<int> MaxDeliver { get; } = new("--max-deliver") { Description = "Deliveries of a chunk before it goes to the dead-letter subject", DefaultValueFactory = _ => Defaults.MaxDeliver };

    public Option<double> DuplicateWindow { get; } = new("--duplicate-window") { Description = "Seconds in which JetStream drops a chunk published again under the same id", DefaultValueFactory = _ => Defaults.DuplicateWindow.TotalSeconds };

    public Option<int> MaxPending { get; } = new("--max-pending") { Description = "Chunks published and not yet written, at most (at least twice the workers)", DefaultValueFactory = _ => Defaults.MaxPending };

    /// <summary>The options, to add to a command: the consumer's settings (ack wait, max deliver) are the workers', who create it; --max-pending is the submitter's.</summary>
    public IEnumerable<Option> All =>
        _submitter ? [Url, Prefix, Replicas, Storage, DuplicateWindow, MaxPending] : [Url, Prefix, Replicas, Storage, DuplicateWindow, AckWait, MaxDeliver];

    /// <summary>The settings parsed, or null without <c>--nats</c>.</summary>
    /// <exception cref="CliException">A setting out of range, named.</exception>
    public NatsScoringOptions? Read(ParseResult parse)
    {
        string? url = parse.GetValue(Url);
        if (url is null) return null;
        var options = new NatsScoringOptions
        {
            Url = url,
            Prefix = parse.GetValue(Prefix)!,
            Replicas = parse.GetValue(Replicas),
            Storage = parse.GetValue(Storage)!,
            AckWait = _submitter ? Defaults.AckWait : Seconds(parse.GetValue(AckWait), "--ack-wait"),
            MaxDeliver = _submitter ? Defaults.MaxDeliver : parse.GetValue(MaxDeliver),
            DuplicateWindow = Seconds(parse.GetValue(DuplicateWindow), "--duplicate-window"),
            MaxPending = _submitter ? parse.GetValue(MaxPending) : Defaults.MaxPending,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--nats: {e.Message.Split(" (Parameter")[0]}");
        }
        return options;
    }

    /// <summary>
    /// The pool of a model folder on a backend and precision: a digest of its weights and of its
    /// checkpoint metadata (which holds the calibration, so the default policy means the same on every worker).
    /// </summary>
    public static string Pool(ModelDirectory folder, InferenceBackend backend, string precision)
    {
        string metadata = File.Exists(folder.MetadataPath) ? File.ReadAllText(folder.MetadataPath) : "";
        string digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(folder.WeightsHash() + "\n" + metadata)));
        return NatsScoringTopology.PoolKey(digest, InferenceBackends.NameOf(backend), backend == InferenceBackend.Onnx ? precision : "fp32");
    }

    /// <summary>The one line for a server that cannot be reached, naming it.</summary>
    public static CliException Unreachable(string url, NATS.Client.Core.NatsException e) =>
        new($"--nats {url}: cannot reach a NATS server with JetStream ({e.Message})", CliExitStatus.UserError, e);

    private static TimeSpan Seconds(double value, string option) =>
        double.IsFinite(value) && value > 0 && value < 1e6 ? TimeSpan.FromSeconds(value) : throw new CliException($"{option} must be a positive number of seconds; got {value}");

    private static Option<string> CreateStorage()
    {
        var option = new Option<string>("--storage") { Description = "Where the streams keep messages: file (survives a server restart) or memory", DefaultValueFactory = _ => Defaults.Storage };
        option.AcceptOnlyFromAmong("file", "memory");
        return option;
    }
}
