using EarlyExit.Core.RiskControl;

namespace EarlyExit.Core.Tests.RiskControl;

public sealed class RiskLimitTests
{
    [Theory]
    [InlineData("disagreement:0.02", RiskMeasure.Disagreement, 0.02)]
    [InlineData("Error:0.1", RiskMeasure.Error, 0.1)]
    [InlineData("gap:0.005", RiskMeasure.AccuracyGap, 0.005)]
    public void Parses_measure_and_epsilon(string text, RiskMeasure measure, double epsilon)
    {
        RiskLimit limit = RiskLimit.Parse(text, 0.95);
        Assert.Equal(measure, limit.Measure);
        Assert.Equal(epsilon, limit.Epsilon);
        Assert.Equal(0.05, limit.Delta, 12);
        Assert.Equal(0.95, limit.Confidence, 12);
    }

    [Theory]
    [InlineData("0.02", "a risk limit is MEASURE:EPSILON")]
    [InlineData("loss:0.02", "unknown risk 'loss' in 'loss:0.02'; valid risks: disagreement, error, gap")]
    [InlineData("error:two", "the limit in 'error:two' is not a number")]
    public void Bad_text_names_the_part_that_is_wrong(string text, string message) =>
        Assert.StartsWith(message, Assert.Throws<FormatException>(() => RiskLimit.Parse(text)).Message);

    [Theory]
    [InlineData("error:0", 0.9)]
    [InlineData("error:1", 0.9)]
    [InlineData("error:0.1", 1.0)]
    [InlineData("error:0.1", 0.0)]
    public void Limits_that_promise_nothing_are_refused(string text, double confidence) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RiskLimit.Parse(text, confidence));

    [Fact]
    public void The_guarantee_reads_as_a_sentence()
    {
        Assert.Equal("disagreement:0.02", RiskLimit.Parse("disagreement:0.02").ToString());
        Assert.Equal("on inputs like the calibration set, the early answer differs from the full model's at most 2% of the time, with 90% confidence over the draw of the calibration set",
            RiskLimit.Parse("disagreement:0.02").Describe());
    }
}
