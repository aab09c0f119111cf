namespace EarlyExit.Data.Datasets;

/// <summary>The outcome of holding out part of a list: both parts keep the original order.</summary>
internal sealed record SplitParts<T>(IReadOnlyList<T> Kept, IReadOnlyList<T> HeldOut);
