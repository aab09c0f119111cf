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
    private readonly bool _shared;

    internal BertEncoder(EncoderConfig config) : base(nameof(BertEncoder))
    {
        // ALBERT shares one layer's weights across depths: one module, applied LayerCount times.
        _shared = config.SharedLayer;
        int modules = _shared ? 1 : config.LayerCount;
        layer = nn.ModuleList(Enumerable.Range(0, modules).Select(_ => new BertLayer(config)).ToArray());
        RegisterComponents();
    }

    /// <summary>The weights of depth <paramref name="index"/> (0-based): the one shared layer when <see cref="EncoderConfig.SharedLayer"/>.</summary>
    internal BertLayer this[int index] => layer[_shared ? 0 : index];
}
