using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// One training stage's parameters and their AdamW: which parameters train in the stage's phase
/// (and with <see cref="TrainerOptions.FreezeBackbone"/>), and up to four parameter groups,
/// backbone or exit heads (their own peak rate, <see cref="TrainerOptions.HeadLearningRate"/>) ×
/// decayed or not (biases and normalisation scales).
/// </summary>
/// <remarks>Built at the first epoch of each stage: freezing changes between stages, and AdamW's
/// moments belong to the parameters that trained.</remarks>
internal sealed class ParameterGroups : IDisposable
{
    private readonly List<Parameter> _trainable = [];
    private readonly HashSet<AdamW.ParamGroup> _headGroups = new(ReferenceEqualityComparer.Instance);
    private readonly TrainerOptions _options;

    /// <summary>Sets <c>requires_grad</c> of every parameter for <paramref name="phase"/>, then builds AdamW over those that train.</summary>
    /// <param name="network">The model.</param>
    /// <param name="phase">The stage's phase.</param>
    /// <param name="options">Rates, AdamW's settings, freezing and clipping.</param>
    internal ParameterGroups(IMultiExitNetwork network, TrainingPhase phase, TrainerOptions options)
    {
        _options = options;
        int last = network.ExitCount - 1;
        foreach (var (name, parameter) in network.Module.named_parameters())
        {
            int exit = ExitOf(name);
            bool train = phase switch
            {
                TrainingPhase.AllExits => exit >= 0 || !options.FreezeBackbone,
                TrainingPhase.FinalExit => exit == last || (exit < 0 && !options.FreezeBackbone),
                TrainingPhase.InternalExits => exit >= 0 && exit < last,
                _ => throw new InvalidOperationException($"unknown training phase {phase}"),
            };
            parameter.requires_grad = train;
            if (train) _trainable.Add(parameter);
        }
        Optimizer = CreateOptimizer(network.Module);
    }

    /// <summary>Whether <paramref name="phase"/> trains any backbone parameter (the rule of the constructor above).</summary>
    internal static bool TrainsBackbone(TrainingPhase phase, TrainerOptions options) =>
        phase != TrainingPhase.InternalExits && !options.FreezeBackbone;

    /// <summary>AdamW over the trainable parameters; its state is what <c>optimizer.bin</c> keeps.</summary>
    internal AdamW Optimizer { get; }

    /// <summary>Sets every group's rate for a step: the backbone's <paramref name="learningRate"/>, the heads' at their peak ratio to it.</summary>
    /// <param name="learningRate">The backbone's scheduled rate.</param>
    internal void SetLearningRate(double learningRate)
    {
        double headScale = (_options.HeadLearningRate ?? _options.LearningRate) / _options.LearningRate;
        foreach (var group in Optimizer.ParamGroups)
            group.LearningRate = _headGroups.Contains(group) ? learningRate * headScale : learningRate;
    }

    /// <summary>Clips the trainable parameters' gradient norm to <see cref="TrainerOptions.MaxGradNorm"/> (when above 0), then steps AdamW.</summary>
    internal void Step()
    {
        if (_options.MaxGradNorm > 0)
            nn.utils.clip_grad_norm_(_trainable, _options.MaxGradNorm);
        Optimizer.step();
    }

    /// <inheritdoc/>
    public void Dispose() => Optimizer.Dispose();

    /// <summary>The groups, in the order backbone decayed, backbone undecayed, heads decayed, heads undecayed; empty ones left out.</summary>
    private AdamW CreateOptimizer(nn.Module model)
    {
        // [head ? 1 : 0, decayed ? 0 : 1]
        var split = new List<Parameter>[2, 2] { { [], [] }, { [], [] } };
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!parameter.requires_grad) continue;
            // Biases and normalisation scales (the 1-D parameters: BERT's LayerNorm, a ViT's norms,
            // a CNN's BatchNorm) are not decayed, as BERT and Hugging Face do.
            bool undecayed = parameter.dim() < 2;
            split[ExitOf(name) >= 0 ? 1 : 0, undecayed ? 1 : 0].Add(parameter);
        }
        var groups = new List<AdamW.ParamGroup>();
        for (int head = 0; head < 2; head++)
        {
            double rate = head == 1 ? _options.HeadLearningRate ?? _options.LearningRate : _options.LearningRate;
            for (int undecayed = 0; undecayed < 2; undecayed++)
            {
                if (split[head, undecayed].Count == 0) continue;
                var group = new AdamW.ParamGroup(split[head, undecayed], rate, _options.Beta1, _options.Beta2, _options.AdamEpsilon,
                    undecayed == 1 ? 0.0 : _options.WeightDecay);
                groups.Add(group);
                // Remembered so each step can scale the heads' rate.
                if (head == 1) _headGroups.Add(group);
            }
        }
        return new AdamW(groups, _options.LearningRate, _options.Beta1, _options.Beta2, _options.AdamEpsilon, _options.WeightDecay);
    }

    /// <summary>0-based exit of an exit head's parameter ("exits.3.classifier.weight" → 3), or -1 for the backbone.</summary>
    private static int ExitOf(string name)
    {
        const string prefix = "exits.";
        if (!name.StartsWith(prefix, StringComparison.Ordinal)) return -1;
        int dot = name.IndexOf('.', prefix.Length);
        return int.Parse(name.AsSpan(prefix.Length, dot - prefix.Length), System.Globalization.CultureInfo.InvariantCulture);
    }
}
