using EarlyExit.Torch.Training;

namespace EarlyExit.Torch.Tests.Training;

public sealed class ImageAugmentationTests
{
    // A 3 × 3 grey image, values 1..9 row-major:
    //   1 2 3
    //   4 5 6
    //   7 8 9
    private static readonly byte[] Image = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    [Fact]
    public void CropShiftsTheContentAndFillsWithZero()
    {
        // Padding 1: draws x-offset 2 → dx = +1, y-offset 0 → dy = −1, then no flip (0).
        // Output (y, x) reads source (y − 1, x + 1): row 0 from row −1 → zeros; row 1 = 2 3 0; row 2 = 5 6 0.
        var target = new byte[9];
        new ImageAugmentation { Padding = 1 }.Apply(Image, target, 1, 3, new ScriptedRandom(2, 0, 0));
        Assert.Equal(new byte[] { 0, 0, 0, 2, 3, 0, 5, 6, 0 }, target);
    }

    [Fact]
    public void FlipMirrorsEachRow()
    {
        // Padding 0 draws no offsets; the flip draw 1 mirrors: 3 2 1 / 6 5 4 / 9 8 7.
        var target = new byte[9];
        new ImageAugmentation { Padding = 0 }.Apply(Image, target, 1, 3, new ScriptedRandom(1));
        Assert.Equal(new byte[] { 3, 2, 1, 6, 5, 4, 9, 8, 7 }, target);
    }

    [Fact]
    public void EveryChannelGetsTheSameShiftAndFlip()
    {
        byte[] rgb = [.. Image, .. Image.Select(v => (byte)(v + 10)), .. Image.Select(v => (byte)(v + 20))];
        var target = new byte[27];
        // dx = 0 (draw 1), dy = +1 (draw 2), flip (1): output (y, x) reads (y + 1, 2 − x).
        new ImageAugmentation { Padding = 1 }.Apply(rgb, target, 3, 3, new ScriptedRandom(1, 2, 1));
        Assert.Equal(new byte[] { 6, 5, 4, 9, 8, 7, 0, 0, 0 }, target[..9]);
        Assert.Equal(new byte[] { 16, 15, 14, 19, 18, 17, 0, 0, 0 }, target[9..18]);
        Assert.Equal(new byte[] { 26, 25, 24, 29, 28, 27, 0, 0, 0 }, target[18..]);
    }

    [Fact]
    public void NegativePaddingIsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation { Padding = -1 }.Validate());
        Assert.Contains("Padding must be at least 0; got -1", e.Message);
    }

    /// <summary>A generator that returns the given draws in order (each below its bound).</summary>
    private sealed class ScriptedRandom(params int[] draws) : Random
    {
        private int _next;

        public override int Next(int maxValue)
        {
            int value = draws[_next++];
            Assert.InRange(value, 0, maxValue - 1);
            return value;
        }
    }
}
