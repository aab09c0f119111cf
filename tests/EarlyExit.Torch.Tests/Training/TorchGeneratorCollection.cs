namespace EarlyExit.Torch.Tests.Training;

/// <summary>
/// Tests that seed torch's process-wide generator and depend on what it draws (dropout, COSEE's
/// thresholds) run alone: another test class seeding or drawing in parallel would change their
/// draws, and a resumed run would no longer match the uninterrupted one.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchGeneratorCollection
{
    public const string Name = "torch global generator";
}
