using EarlyExit.Core.Calibration;

namespace EarlyExit.Core.Tests.Calibration;

public class BeemWeightsTests
{
    [Fact]
    public void Cost_is_lambda_times_the_exit_number()
    {
        // w_m = λ·m with λ = 0.25: [0.25, 0.5, 0.75, 1.0].
        Assert.Equal([0.25, 0.5, 0.75, 1.0], BeemWeights.Cost(4, 0.25).ToArray());
        Assert.Equal([1.0, 2.0], BeemWeights.Cost(2).ToArray()); // default λ = 1
    }

    [Theory]
    [InlineData(0.0, "got 0")]
    [InlineData(-1.5, "got -1.5")]
    [InlineData(double.PositiveInfinity, "got Infinity")]
    public void Cost_rejects_a_lambda_that_is_not_positive_and_finite(double lambda, string tail)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BeemWeights.Cost(3, lambda).ToArray());
        Assert.Contains("lambda must be positive and finite; " + tail, e.Message);
    }

    [Fact]
    public void Cost_rejects_no_exits() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BeemWeights.Cost(0).ToArray());

    [Fact]
    public void Accuracy_copies_the_validation_accuracies()
    {
        double[] accuracies = [0.61, 0.7, 0.82];
        var weights = BeemWeights.Accuracy(accuracies);
        accuracies[0] = 0; // a copy: later changes to the input do not leak in
        Assert.Equal([0.61, 0.7, 0.82], weights.ToArray());
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Accuracy_rejects_values_outside_0_1_naming_exit_and_value(double bad)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BeemWeights.Accuracy([0.5, bad]));
        Assert.Contains($"perExitValidationAccuracy[1] must be in [0, 1]; got {bad}", e.Message);
    }

    [Fact]
    public void Accuracy_rejects_an_empty_list() =>
        Assert.Throws<ArgumentException>(() => BeemWeights.Accuracy([]));
}
