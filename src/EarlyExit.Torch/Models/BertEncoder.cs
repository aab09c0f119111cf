using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models;

/// <summary>
/// Holds the transformer layers under the key <c>layer</c>, numbered from 0, so their
/// parameters read <c>encoder.layer.3.attention.self.query.weight</c> as in Hugging Face BERT.
/// It has no forward: the multi-exit encoder runs the layers one at a time.
/// </summary>
internal sealed class BertEncoder : nn.Module
{
    private readonly ModuleList<BertLayer> layer;

    internal BertEncoder(EncoderConfig config) : base(nameof(BertEncoder))
    {
        layer = nn.ModuleList(Enumerable.Range(0, config.LayerCount).Select(_ => new BertLayer(config)).ToArray());
        RegisterComponents();
    }

    /// <summary>Layer <paramref name="index"/> (0-based).</summary>
    internal BertLayer this[int index] => layer[index];
}
