using System.Collections.Immutable;
using EarlyExit.Data.Tokenization;
using EarlyExit.Onnx.Runtime;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Runtime;

namespace EarlyExit;

/// <summary>
/// The backends by name, for a command-line option or a server setting (<c>--backend torch|onnx</c>),
/// and the one place that builds the runtime model of each.
/// </summary>
public static class InferenceBackends
{
    private static readonly ImmutableArray<(string Name, InferenceBackend Backend)> Table =
    [
        ("torch", InferenceBackend.Torch),
        ("onnx", InferenceBackend.Onnx),
    ];

    /// <summary>The valid names, in the order help text lists them: torch, onnx.</summary>
    public static ImmutableArray<string> Names { get; } = [.. Table.Select(e => e.Name)];

    /// <summary>The backend named <paramref name="name"/> (case-insensitive).</summary>
    /// <param name="name">torch or onnx.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException">No backend has that name; the message lists the valid ones.</exception>
    public static InferenceBackend Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var (entry, backend) in Table)
        {
            if (string.Equals(entry, name.Trim(), StringComparison.OrdinalIgnoreCase)) return backend;
        }
        throw new ArgumentException($"unknown backend '{name}'; valid backends: {string.Join(", ", Names)}", nameof(name));
    }

    /// <summary>The name <see cref="Parse"/> accepts for <paramref name="backend"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="backend"/> is not defined.</exception>
    public static string NameOf(InferenceBackend backend)
    {
        foreach (var (name, entry) in Table)
        {
            if (entry == backend) return name;
        }
        throw new ArgumentOutOfRangeException(nameof(backend), backend, $"backend must be one of {string.Join(", ", Names)}; got {backend}");
    }

    /// <summary>
    /// The runtime model of <paramref name="encoder"/> on <paramref name="backend"/>, to run with
    /// <see cref="EarlyExitRuntime{TInput}"/> or <see cref="Torch.Traces.ExitTraceRecorder"/>.
    /// </summary>
    /// <param name="backend">The backend.</param>
    /// <param name="encoder">The model (e.g. from a checkpoint). The TorchSharp model wraps it (and puts it in
    /// evaluation mode); the ONNX model copies its weights into ONNX graphs once. Either way the caller keeps owning it.</param>
    /// <param name="onnxOptions">ORT settings for <see cref="InferenceBackend.Onnx"/>; null for the defaults; ignored for TorchSharp.</param>
    /// <returns>The model. The ONNX one (<see cref="OnnxExitModel"/>) holds ORT sessions: dispose it when
    /// done (<c>(model as IDisposable)?.Dispose()</c> works for both).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="encoder"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="backend"/> is not defined, or an ONNX option is out of range.</exception>
    public static IMultiExitModel<TokenBatch> CreateModel(InferenceBackend backend, MultiExitEncoder encoder, OnnxBackendOptions? onnxOptions = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        return backend switch
        {
            InferenceBackend.Torch => new EncoderExitModel(encoder),
            InferenceBackend.Onnx => OnnxExitModel.Create(encoder, onnxOptions),
            _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, $"backend must be one of {string.Join(", ", Names)}; got {backend}"),
        };
    }
}
