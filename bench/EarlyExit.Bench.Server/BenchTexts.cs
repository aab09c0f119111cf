using EarlyExit.Data.Datasets;

namespace EarlyExit.Bench.Server;

/// <summary>
/// The texts the load test serves: the first N examples of a data set's test split (real,
/// labelled, never seen in training or calibration), with labels mapped onto the model's by name.
/// </summary>
internal static class BenchTexts
{
    public static (string Text, int Label)[] Load(string dataSpec, int count, IReadOnlyList<string> modelLabels)
    {
        Dataset<TextExample> data = DatasetCatalog.LoadText(DatasetSpec.Parse(dataSpec));
        // The model's label i must mean the data set's class of the same name; refuse a model trained on other data.
        int[] toModel = [.. data.ClassNames.Select(name =>
        {
            int index = modelLabels.ToList().IndexOf(name);
            return index >= 0 ? index : throw new ArgumentException(
                $"--data {dataSpec}: class '{name}' is not one of the model's labels ({string.Join(", ", modelLabels)}); serve a model trained on this data");
        })];
        if (data.Test.Any(e => e.TextPair is not null))
            throw new ArgumentException($"--data {dataSpec}: the load test sends single texts; this data set has text pairs");
        return [.. data.Test.Take(count).Select(e => (e.Text, toModel[e.Label]))];
    }
}
