namespace EarlyExit.Data.Datasets;

/// <summary>An example with a class label: what <see cref="Dataset{TExample}"/> checks against its class names.</summary>
public interface ILabelledExample
{
    /// <summary>0-based index into the dataset's <see cref="Dataset{TExample}.ClassNames"/>.</summary>
    int Label { get; }
}
