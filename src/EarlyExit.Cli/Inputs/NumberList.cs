using System.Collections.Immutable;
using System.Globalization;

namespace EarlyExit.Cli.Inputs;

/// <summary>A comma-separated list of numbers typed as one option (<c>--risk-targets</c>, <c>--beem-alphas</c>).</summary>
internal static class NumberList
{
    /// <summary>Parses <paramref name="text"/>; a bad entry is a one-line error naming the option, the entry and the rule.</summary>
    /// <param name="text">The option's value, e.g. "0.01,0.02".</param>
    /// <param name="option">The option's name, e.g. "--risk-targets".</param>
    /// <param name="valid">Whether one number is allowed.</param>
    /// <param name="rule">What an allowed number is, for the message: "a number between 0 and 1 (exclusive)".</param>
    /// <exception cref="CliException">An entry that is not a number or breaks the rule.</exception>
    public static ImmutableArray<double> Parse(string text, string option, Func<double, bool> valid, string rule)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = ImmutableArray.CreateBuilder<double>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !valid(value))
                throw new CliException($"{option}: each entry must be {rule}; got '{part}' in '{text}'");
            values.Add(value);
        }
        return values.ToImmutable();
    }
}
