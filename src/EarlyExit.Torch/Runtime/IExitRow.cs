using EarlyExit.Core.Policies;

namespace EarlyExit.Torch.Runtime;

/// <summary>
/// One row of an exit loop as <see cref="ExitStep.Advance"/> sees it: the policy that decides it
/// and the exit state that policy carries from layer to layer. The runtime's rows share one
/// policy; the server's rows each carry their own request's.
/// </summary>
public interface IExitRow
{
    /// <summary>The row's policy.</summary>
    ExitPolicy Policy { get; }

    /// <summary>Which input the row is, named in errors (its index in its batch or request).</summary>
    int Sample { get; }

    /// <summary>The row's exit state, updated in place at each exit; start it with <see cref="ExitState.Start"/>.</summary>
    ref ExitState State { get; }

    /// <summary>True when nobody waits for the row's answer any more (its request was cancelled or
    /// failed): it is still decided, but it does not go on to the next layer.</summary>
    bool IsAbandoned { get; }
}
