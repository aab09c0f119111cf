using TorchSharp;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// A module in <c>eval()</c> mode (no dropout) under <c>no_grad</c> for as long as the scope lives,
/// then back in training mode if it was training: what every pass of a training run that only
/// reads the model (validation, the head-input cache) needs.
/// </summary>
internal sealed class EvaluationMode : IDisposable
{
    private readonly nn.Module _module;
    private readonly bool _wasTraining;
    private readonly IDisposable _noGrad;

    private EvaluationMode(nn.Module module)
    {
        _module = module;
        _wasTraining = module.training;
        module.eval();
        _noGrad = torch.no_grad();
    }

    /// <summary>Puts <paramref name="module"/> in evaluation mode under <c>no_grad</c> until disposed.</summary>
    internal static EvaluationMode Enter(nn.Module module) => new(module);

    public void Dispose()
    {
        _noGrad.Dispose();
        if (_wasTraining) _module.train();
    }
}
