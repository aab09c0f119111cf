using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models.Vision;

/// <summary>
/// One pre-LayerNorm transformer block (Xiong et al. 2020; ViT, Dosovitskiy et al. 2021 eq. 2–3):
/// h' = h + Attn(LN₁(h)), out = h' + W₂ GELU(W₁ LN₂(h')). Pre-LN keeps every block's output on the
/// residual stream, which trains from scratch without warm-up tricks and gives every exit head
/// an un-normalised sum to read. Keys <c>norm1</c>, <c>qkv</c>, <c>proj</c>, <c>norm2</c>, <c>fc1</c>, <c>fc2</c>.
/// </summary>
internal sealed class VitBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly LayerNorm norm2;
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly long _heads;
    private readonly long _headSize;

    internal VitBlock(VisionConfig config) : base(nameof(VitBlock))
    {
        norm1 = nn.LayerNorm(config.Width, config.LayerNormEpsilon);
        qkv = nn.Linear(config.Width, 3L * config.Width);
        proj = nn.Linear(config.Width, config.Width);
        norm2 = nn.LayerNorm(config.Width, config.LayerNormEpsilon);
        fc1 = nn.Linear(config.Width, config.MlpSize);
        fc2 = nn.Linear(config.MlpSize, config.Width);
        _heads = config.HeadCount;
        _headSize = config.Width / config.HeadCount;
        RegisterComponents();
    }

    /// <param name="hidden">(batch, patches, width).</param>
    /// <returns>(batch, patches, width).</returns>
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0], n = hidden.shape[1], d = hidden.shape[2];
        // (batch, n, 3d) → (batch, n, 3, heads, headSize) → (3, batch, heads, n, headSize)
        Tensor parts = qkv.call(norm1.call(hidden)).view(batch, n, 3, _heads, _headSize).permute(2, 0, 3, 1, 4);
        Tensor q = parts[0], k = parts[1], v = parts[2];
        // (batch, heads, n, n): softmax(Q Kᵀ / √d_h) (Vaswani et al. 2017 eq. 1); no mask, every patch is real.
        Tensor attention = (q.matmul(k.transpose(-1, -2)) / Math.Sqrt(_headSize)).softmax(-1);
        // (batch, heads, n, headSize) → (batch, n, heads, headSize) → (batch, n, d)
        Tensor context = attention.matmul(v).transpose(1, 2).reshape(batch, n, d);
        Tensor attended = hidden + proj.call(context);
        Tensor mlp = fc2.call(nn.functional.gelu(fc1.call(norm2.call(attended))));
        return (attended + mlp).MoveToOuterDisposeScope();
    }
}
