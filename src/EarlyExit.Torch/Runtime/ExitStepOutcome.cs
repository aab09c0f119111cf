using System.Collections.Immutable;

namespace EarlyExit.Torch.Runtime;

/// <summary>What <see cref="ExitStep.Advance"/> decided for the rows of one layer.</summary>
/// <typeparam name="TRow">The caller's row type.</typeparam>
/// <param name="Exited">The rows that left at this layer, each with its result, in row order.</param>
/// <param name="Next">The rows that go on, compacted (the step's own state when every row goes on);
/// null when none does. Its tensors belong to the caller, like the step's.</param>
/// <param name="Continuing">The rows that go on, row r of <paramref name="Next"/> first; empty when none does.</param>
public sealed record ExitStepOutcome<TRow>(
    ImmutableArray<(TRow Row, ExitResult Result)> Exited,
    ExitBatchState? Next,
    ImmutableArray<TRow> Continuing)
    where TRow : IExitRow;
