namespace EarlyExit.Data.Datasets;

/// <summary>Train, validation and test parts produced by <see cref="SeededSplitter.Split{T}"/>.</summary>
internal sealed record ThreeWaySplit<T>(IReadOnlyList<T> Train, IReadOnlyList<T> Validation, IReadOnlyList<T> Test);
