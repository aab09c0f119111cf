namespace EarlyExit.Data.Datasets;

/// <summary>The three parts of a dataset.</summary>
public enum DatasetSplit
{
    /// <summary>For fitting weights.</summary>
    Train,

    /// <summary>For calibration and model selection (thresholds, early stopping, the best checkpoint).</summary>
    Validation,

    /// <summary>For the reported numbers only: never used to choose anything.</summary>
    Test,
}
