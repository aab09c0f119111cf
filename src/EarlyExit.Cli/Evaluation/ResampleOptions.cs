using System.CommandLine;
using EarlyExit.Core.RiskControl;

namespace EarlyExit.Cli.Evaluation;

/// <summary>
/// The options of the risk-control check, shared by evaluate and report so their names, defaults
/// and help cannot drift apart: <c>--resample N</c>, <c>--risk-measure</c>, <c>--risk-targets</c>, <c>--confidence</c>.
/// </summary>
internal sealed class ResampleOptions
{
    private readonly Option<int> _draws = new("--resample")
    {
        Description = "Check the risk control (docs/algorithms.md §5): pool validation and test, draw this many random halves (≥ 500 for a report), calibrate each controlled method on one half and measure on the other; prints violation rates",
        HelpName = "N",
    };

    private readonly Option<string> _measure = new("--risk-measure") { Description = "With --resample: the risk checked", DefaultValueFactory = _ => ResampleRequest.DefaultMeasure };

    private readonly Option<string> _targets = new("--risk-targets") { Description = "With --resample: the targets ε, comma-separated", DefaultValueFactory = _ => ResampleRequest.DefaultTargets };

    private readonly Option<double> _confidence = new("--confidence") { Description = "With --resample: 1 − δ of the risk-controlled method", DefaultValueFactory = _ => RiskLimit.DefaultConfidence };

    public ResampleOptions() => _measure.AcceptOnlyFromAmong([.. RiskLimit.MeasureNames]);

    /// <summary>The four options, to add to a command.</summary>
    public IEnumerable<Option> All => [_draws, _measure, _targets, _confidence];

    /// <summary>What the user asked for; null without <c>--resample</c>.</summary>
    public ResampleRequest? Read(ParseResult parse) => parse.GetValue(_draws) is 0 ? null
        : new ResampleRequest(parse.GetValue(_draws), parse.GetValue(_measure)!, parse.GetValue(_targets)!, parse.GetValue(_confidence));
}
