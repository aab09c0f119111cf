using EarlyExit.Torch.Models.Vision;
using EarlyExit.Torch.Runtime;
using EarlyExit.Torch.Tests.TestDoubles;
using EarlyExit.Torch.Tests.Training;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Models.Vision;

[Collection(TorchGeneratorCollection.Name)]
public sealed class VisionFlopsTests
{
    [Fact]
    public void VitBlocksAndHeadsByHand()
    {
        // n = 4 patches, d = 8, f = 16: 8·4·64 + 4·16·8 + 4·4·8·16 = 2,048 + 512 + 2,048 = 4,608.
        // Patch embedding, in block 0: 2·n·d·C·p² = 2·4·8·1·16 = 1,024 → 5,632.
        Assert.Equal(5_632, VisionFlops.Block(TinyVision.Vit, 0));
        Assert.Equal(4_608, VisionFlops.Block(TinyVision.Vit, 1));
        // Head: 2·d·K = 2·8·3 = 48.
        Assert.Equal(48, VisionFlops.Exit(TinyVision.Vit));
    }

    [Fact]
    public void CnnBlocksAndHeadsByHand()
    {
        // Stem: 8 → ⌈8/2⌉ = 4; 2·4²·w·C·9 = 2·16·4·3·9 = 3,456.
        // Blocks 0, 1 (stage 0, side 4): 2 · 2·16·4²·9 = 2 · 4,608 = 9,216; block 0 adds the stem → 12,672.
        // Block 2 starts stage 1 (⌊2·2/3⌋ = 1), side ⌈4/2⌉ = 2: 2 · 2·4·16·9 = 2,304, + projection 2·4·16 = 128 → 2,432.
        Assert.Equal(12_672, VisionFlops.Block(TinyVision.Cnn, 0));
        Assert.Equal(9_216, VisionFlops.Block(TinyVision.Cnn, 1));
        Assert.Equal(2_432, VisionFlops.Block(TinyVision.Cnn, 2));
        // Head: 2·w·K = 2·4·2 = 16.
        Assert.Equal(16, VisionFlops.Exit(TinyVision.Cnn));
    }

    [Fact]
    public void CnnSidesAreTheShapesTheModelProduces()
    {
        using var model = new MultiExitCnn(TinyVision.Cnn);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor hidden = model.Embed(zeros(2, 3, 8, 8));
        Assert.Equal([2L, 4, 4, 4], hidden.shape);
        int[] sides = [4, 4, 2];
        for (int b = 0; b < 3; b++)
        {
            hidden = model.RunBlock(b, hidden);
            Assert.Equal(sides[b], VisionFlops.CnnSide(TinyVision.Cnn, b));
            Assert.Equal([2L, 4, sides[b], sides[b]], hidden.shape);
        }
    }

    [Fact]
    public void OutOfRangeBlockNamesTheRange()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => VisionFlops.Block(TinyVision.Vit, 2));
        Assert.Contains("between 0 and 1 (the model has 2 blocks); got 2", e.Message);
    }

    [Theory]
    [InlineData("vit-small", "vit-large")]
    [InlineData("cnn-small", "cnn-large")]
    public void SmallPresetsFullCostLiesInsideTheLargeOnesExitRange(string small, string large)
    {
        VisionConfig s = VisionPresets.Create(small, 10, 28, 1, 0.286, 0.353);
        VisionConfig l = VisionPresets.Create(large, 10, 28, 1, 0.286, 0.353);
        using var smallModel = MultiExitVisionModel.Create(s);
        using var largeModel = MultiExitVisionModel.Create(l);
        var smallExits = new VisionExitModel(smallModel);
        var largeExits = new VisionExitModel(largeModel);
        double smallFull = ModelFlops.FullModel(smallExits, 0);
        Assert.InRange(smallFull, ModelFlops.UpToExit(largeExits, 0, 0), ModelFlops.UpToExit(largeExits, l.BlockCount - 1, 0));
        // Same width, so the small model's blocks are the large one's first blocks: block 0 costs the same in both.
        Assert.Equal(smallExits.LayerFlops(0, 0), largeExits.LayerFlops(0, 0));
    }
}
