namespace EarlyExit.Cli.Tests.TestDoubles;

/// <summary>
/// Tests that run MiniLM share one fixture and run one at a time: two trainings at once on a
/// 2-core machine only slow each other down, and torch's generator is process-wide.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MiniLmCollection : ICollectionFixture<TrainedModelFixture>
{
    public const string Name = "MiniLM";
}
