using EarlyExit.Server.Serving;

namespace EarlyExit.Server.Tests.TestDoubles;

/// <summary>
/// <see cref="TestModel"/> loaded once for a whole test class (an xUnit class fixture): its tests
/// run one after another, so at most one scheduler's worker runs the model at a time.
/// </summary>
public sealed class LoadedModel : IDisposable
{
    /// <summary>The loaded model.</summary>
    public EarlyExitClassifier Model { get; } = EarlyExitClassifier.Load(TestModel.Directory);

    /// <inheritdoc/>
    public void Dispose() => Model.Dispose();
}
