namespace EarlyExit.Torch.Models.Vision;

/// <summary>Which family a <see cref="VisionConfig"/> describes.</summary>
public enum VisionArchitecture
{
    /// <summary>A vision transformer (<see cref="MultiExitVit"/>): patch embedding, pre-LN blocks, an exit after each block.</summary>
    Vit,

    /// <summary>A residual CNN (<see cref="MultiExitCnn"/>): a stem, residual blocks in stages, an exit after each block.</summary>
    Cnn,
}
