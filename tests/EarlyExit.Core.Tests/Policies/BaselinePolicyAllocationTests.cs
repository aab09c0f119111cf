using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using static EarlyExit.Core.Tests.Policies.PolicyTestKit;

namespace EarlyExit.Core.Tests.Policies;

/// <summary>
/// The offline sweep calls ShouldExit ~10^8 times, so the baseline policies must not allocate.
/// </summary>
public class BaselinePolicyAllocationTests
{
    public static TheoryData<ExitPolicy> Policies() =>
    [
        new ThresholdPolicy(ExitSignal.MaxProb, 0.99),
        new ThresholdPolicy(ExitSignal.NormalizedEnergy, [0, 0, 0, 0, 0, 0]),
        new PatiencePolicy(6),
        new StaticExitPolicy(6),
        new OraclePolicy(OracleKind.AgreesWithFinal),
        new OraclePolicy(OracleKind.FirstCorrect),
    ];

    [Theory]
    [MemberData(nameof(Policies))]
    public void ReplayingASampleAllocatesNothing(ExitPolicy policy)
    {
        // Synthetic 6-exit sample: predictions alternate and every signal is 0 (σ(E) = 0 is not < 0),
        // so no policy above leaves before the last exit.
        var exits = WithPredictions(0, 1, 0, 1, 0, 2);
        var hindsight = new SampleHindsight(FinalPrediction: 2, Label: 2);
        int sum = 0;
        for (int i = 0; i < 1000; i++) // warm up (tiering) outside the measurement
            sum += FirstExit(policy, exits, hindsight);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
            sum += FirstExit(policy, exits, hindsight);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(11_000 * 5, sum); // every replay ran to the last exit (5)
    }
}
