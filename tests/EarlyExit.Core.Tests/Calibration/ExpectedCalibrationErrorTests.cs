using EarlyExit.Core.Calibration;
using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Tests.Calibration;

public class ExpectedCalibrationErrorTests
{
    [Fact]
    public void Compute_matches_the_hand_sum_over_bins()
    {
        // B = 5 (width .2). Samples (C, right): (.95, y) (.85, n) (.65, y) (.62, n) (.15, y).
        //   bin 0 [0, .2):  {.15}       acc 1,  conf .15  → |1 − .15| = .85,  weight 1/5
        //   bin 3 [.6, .8): {.65, .62}  acc .5, conf .635 → .135,             weight 2/5
        //   bin 4 [.8, 1]:  {.95, .85}  acc .5, conf .9   → .4,               weight 2/5
        //   ECE = .85/5 + 2·.135/5 + 2·.4/5 = .17 + .054 + .16 = .384
        double ece = ExpectedCalibrationError.Compute([0.95, 0.85, 0.65, 0.62, 0.15], [true, false, true, false, true], bins: 5);
        Assert.Equal(0.384, ece, 12);
    }

    [Fact]
    public void A_perfectly_calibrated_bin_has_zero_error()
    {
        // 15 bins; four samples at C = .75 (bin 11), three right: acc .75 = conf .75 → ECE 0.
        Assert.Equal(0, ExpectedCalibrationError.Compute([0.75, 0.75, 0.75, 0.75], [true, true, true, false]), 12);
    }

    [Fact]
    public void PerExit_uses_each_exits_max_prob_and_correctness()
    {
        // Synthetic: 2 samples × 2 exits, labels [0, 0], default 15 bins.
        //   exit 1: (0, .5) right, (1, .5) wrong → one bin, acc .5, conf .5 → ECE 0
        //   exit 2: (0, 1) right, (0, .5) right → bin 14: |1 − 1|; bin 7: |1 − .5|·(1/2) → ECE .25
        SignalValues[] signals =
        [
            new(0, 0.5f, 0, 0, 0, 0), new(0, 1f, 0, 0, 0, 0),
            new(1, 0.5f, 0, 0, 0, 0), new(0, 0.5f, 0, 0, 0, 0),
        ];
        var ece = ExpectedCalibrationError.PerExit(signals, [0, 0], 2);
        Assert.Equal(0, ece[0], 12);
        Assert.Equal(0.25, ece[1], 12);
    }

    [Fact]
    public void Bad_confidence_is_rejected_naming_the_value()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ExpectedCalibrationError.Compute([0.5, -0.1], [true, true]));
        Assert.Contains("confidences[1] must be in [0, 1]; got -0.1", e.Message);
    }
}
