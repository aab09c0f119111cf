using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// A training objective of docs/algorithms.md §3: the loss of a multi-exit model from every exit's
/// logits and the labels.
/// </summary>
/// <remarks>
/// An objective object serves one training run. Most are stateless; one that learns from the
/// run (COSEE's threshold range) says so and round-trips its state through
/// <see cref="SaveState"/> / <see cref="RestoreState"/> so a resumed run continues exactly.
/// </remarks>
public interface ITrainingObjective
{
    /// <summary>Short name for reports and the command line, e.g. "joint".</summary>
    string Name { get; }

    /// <summary>Checks the objective fits a model with <paramref name="exitCount"/> exits trained for <paramref name="epochCount"/> epochs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It does not; the message names the value.</exception>
    void Validate(int exitCount, int epochCount) => ArgumentOutOfRangeException.ThrowIfLessThan(exitCount, 1);

    /// <summary>
    /// Whether the loss reads the labels. Default true. A label-free objective (self-distillation,
    /// docs/algorithms.md §3.5) trains on unlabelled examples (<see cref="TrainingExample.NoLabel"/>), and
    /// validation then measures every exit's agreement with the final exit instead of accuracy.
    /// </summary>
    bool NeedsLabels => true;

    /// <summary>What epoch <paramref name="epoch"/> (0-based) of <paramref name="epochCount"/> trains. Default: everything.</summary>
    TrainingPhase PhaseOf(int epoch, int epochCount) => TrainingPhase.AllExits;

    /// <summary>The loss of one batch.</summary>
    /// <param name="logits">(exits, batch, classes) float logits, exit m after layer m, with gradients.</param>
    /// <param name="labels">(batch) int64 class indices.</param>
    /// <param name="step">Where the step stands in the run.</param>
    /// <returns>A scalar to minimise.</returns>
    Tensor Loss(Tensor logits, Tensor labels, TrainingStep step);

    /// <summary>Called once after the last step of every epoch. Default: nothing.</summary>
    void EndEpoch() { }

    /// <summary>The objective's learnt state for a resume checkpoint, or null when it has none.</summary>
    JsonNode? SaveState() => null;

    /// <summary>Restores what <see cref="SaveState"/> returned.</summary>
    /// <exception cref="InvalidDataException">The state is not this objective's.</exception>
    void RestoreState(JsonNode? state) { }
}
