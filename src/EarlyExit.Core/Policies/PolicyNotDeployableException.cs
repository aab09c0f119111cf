namespace EarlyExit.Core.Policies;

/// <summary>
/// A policy asked to run in a deployed model that cannot: an oracle, which needs each input's final
/// prediction and label (hindsight) that a model stopping early never computes. Thrown by the one
/// deployability check, <see cref="ThrowIfNotDeployable"/>, that the runtime, the library and the
/// server share; an <see cref="ArgumentException"/>, so callers that validate arguments catch it too.
/// </summary>
public sealed class PolicyNotDeployableException : ArgumentException
{
    /// <summary>Creates the exception for a named policy.</summary>
    /// <param name="policyName">The policy's name, e.g. "oracle".</param>
    /// <param name="deployableNames">The names that can run, listed in the message.</param>
    public PolicyNotDeployableException(string policyName, IEnumerable<string> deployableNames)
        : base($"policy '{policyName}' is not deployable: it is an evaluation bound that needs each input's final prediction and label (hindsight), "
            + $"which a model that stops early never computes; evaluate it offline on an exit trace (TraceEvaluator); deployable policies: {string.Join(", ", deployableNames)}",
            "policy")
    {
        PolicyName = policyName;
    }

    /// <summary>Creates the exception with no message.</summary>
    public PolicyNotDeployableException()
    {
        PolicyName = "";
    }

    /// <summary>Creates the exception with a message alone.</summary>
    /// <param name="message">What is wrong.</param>
    public PolicyNotDeployableException(string message)
        : base(message)
    {
        PolicyName = "";
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public PolicyNotDeployableException(string message, Exception innerException)
        : base(message, innerException)
    {
        PolicyName = "";
    }

    /// <summary>The policy's name.</summary>
    public string PolicyName { get; }

    /// <summary>Refuses a policy that is not deployable (<see cref="ExitPolicy.IsDeployable"/>).</summary>
    /// <param name="policy">The policy.</param>
    /// <exception cref="PolicyNotDeployableException">It is an oracle; <see cref="ArgumentException.ParamName"/> is "policy".</exception>
    public static void ThrowIfNotDeployable(ExitPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!policy.IsDeployable) throw new PolicyNotDeployableException(policy.Name, Catalog.PolicyCatalog.DeployableNames);
    }
}
