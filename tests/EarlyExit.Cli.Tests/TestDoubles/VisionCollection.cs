namespace EarlyExit.Cli.Tests.TestDoubles;

/// <summary>
/// The vision command tests share one fixture and run alone, like the MiniLM ones: trainings at
/// once only slow each other down on 2 cores, and torch's generator is process-wide.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class VisionCollection : ICollectionFixture<VisionModelsFixture>
{
    public const string Name = "vision";
}
