using EarlyExit.Data.Datasets.FashionMnist;
using EarlyExit.Data.Datasets.FineFoods;
using EarlyExit.Data.Datasets.ImageFolders;
using EarlyExit.Data.Datasets.SpamAssassin;
using EarlyExit.Data.Datasets.TextFiles;

namespace EarlyExit.Data.Datasets;

/// <summary>
/// A dataset named on a command line: <c>spam-assassin</c>, <c>fine-foods</c>, <c>fashion-mnist</c>,
/// your own file or folder as <c>csv:PATH</c>, <c>tsv:PATH</c> or <c>jsonl:PATH</c>, optionally
/// followed by column names: <c>csv:reviews.csv?text=review&amp;label=stars</c> (keys <c>text</c>,
/// <c>text_pair</c>, <c>label</c>), or your own image folder as <c>images:PATH</c>, optionally
/// with the side images are resized to: <c>images:photos?size=32</c>.
/// </summary>
/// <param name="Kind">Which dataset.</param>
/// <param name="Path">File or folder for <see cref="DatasetKind.Csv"/>, <see cref="DatasetKind.Tsv"/> and
/// <see cref="DatasetKind.JsonLines"/>; <see langword="null"/> otherwise.</param>
/// <param name="Columns">Column names for your own files; <see langword="null"/> means the defaults.</param>
/// <param name="ImageSize">For <see cref="DatasetKind.ImageFolder"/>: the side images are resized to;
/// <see langword="null"/> means <see cref="ImageFolderDataset.DefaultImageSize"/>.</param>
public sealed record DatasetSpec(DatasetKind Kind, string? Path = null, TextColumns? Columns = null, int? ImageSize = null)
{
    // The one table that parsing, formatting and the error message all use.
    private static readonly (string Name, DatasetKind Kind, bool TakesPath)[] Forms =
    [
        (SpamAssassinDataset.Name, DatasetKind.SpamAssassin, false),
        (FineFoodsDataset.Name, DatasetKind.FineFoods, false),
        (FashionMnistDataset.Name, DatasetKind.FashionMnist, false),
        ("csv", DatasetKind.Csv, true),
        ("tsv", DatasetKind.Tsv, true),
        ("jsonl", DatasetKind.JsonLines, true),
        (PlainTextFile.Name, DatasetKind.PlainText, true),
        (ImageFolderDataset.Name, DatasetKind.ImageFolder, true),
    ];

    private static readonly string[] ColumnKeys = ["text", "text_pair", "label"];

    /// <summary>The valid forms, as shown in error messages and help: "spam-assassin", …, "csv:PATH", ….</summary>
    public static IReadOnlyList<string> ValidForms { get; } = [.. Forms.Select(Form)];

    /// <summary>The valid forms that name text datasets (load them with <see cref="DatasetCatalog.LoadText"/>).</summary>
    public static IReadOnlyList<string> TextForms { get; } = [.. Forms.Where(f => !IsImageKind(f.Kind)).Select(Form)];

    /// <summary>The valid forms that name image datasets (load them with <see cref="DatasetCatalog.LoadImages"/>).</summary>
    public static IReadOnlyList<string> ImageForms { get; } = [.. Forms.Where(f => IsImageKind(f.Kind)).Select(Form)];

    /// <summary>Whether this names an image dataset (load it with <see cref="DatasetCatalog.LoadImages"/>).</summary>
    public bool IsImage => IsImageKind(Kind);

    /// <summary>Parses a spec such as <c>fine-foods</c> or <c>jsonl:data/pairs.jsonl?text=premise&amp;text_pair=hypothesis</c>.</summary>
    /// <param name="spec">The spec.</param>
    /// <exception cref="ArgumentException">The name is unknown (the message lists the valid forms), a path is missing
    /// or given where none is taken, or a column key is unknown.</exception>
    public static DatasetSpec Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var trimmed = spec.Trim();
        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        var name = (colon < 0 ? trimmed : trimmed[..colon]).ToLowerInvariant();
        var form = Array.FindIndex(Forms, f => f.Name == name);
        if (form < 0)
        {
            throw new ArgumentException($"unknown dataset '{spec}'; valid: {string.Join(", ", ValidForms)}", nameof(spec));
        }

        var (formName, kind, takesPath) = Forms[form];
        if (!takesPath)
        {
            return colon < 0
                ? new DatasetSpec(kind)
                : throw new ArgumentException($"dataset '{formName}' takes no path; got '{spec}' (valid: {string.Join(", ", ValidForms)})", nameof(spec));
        }

        var rest = colon < 0 ? "" : trimmed[(colon + 1)..];
        var question = rest.LastIndexOf('?');
        var path = question < 0 ? rest : rest[..question];
        if (path.Length == 0)
        {
            throw new ArgumentException($"'{formName}' needs a path, as in {formName}:PATH; got '{spec}'", nameof(spec));
        }

        if (kind == DatasetKind.PlainText)
        {
            return question < 0
                ? new DatasetSpec(kind, path)
                : throw new ArgumentException($"'{formName}:PATH' takes no columns (one text per line); got '{spec}'", nameof(spec));
        }

        if (kind == DatasetKind.ImageFolder)
        {
            return new DatasetSpec(kind, path, ImageSize: question < 0 ? null : ParseImageSize(rest[(question + 1)..], spec));
        }

        return new DatasetSpec(kind, path, question < 0 ? null : ParseColumns(rest[(question + 1)..], spec));
    }

    /// <summary>The spec in the form <see cref="Parse"/> reads.</summary>
    public override string ToString()
    {
        var (name, _, takesPath) = Forms.Single(f => f.Kind == Kind);
        if (!takesPath)
        {
            return name;
        }

        if (Kind == DatasetKind.PlainText)
        {
            return $"{name}:{Path}";
        }

        if (Kind == DatasetKind.ImageFolder)
        {
            return $"{name}:{Path}{(ImageSize is { } size ? "?size=" + size.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}";
        }

        var columns = Columns ?? new TextColumns();
        var overrides = new List<string>();
        if (columns.Text != TextColumns.DefaultText)
        {
            overrides.Add("text=" + columns.Text);
        }

        if (columns.TextPair != TextColumns.DefaultTextPair)
        {
            overrides.Add("text_pair=" + columns.TextPair);
        }

        if (columns.Label != TextColumns.DefaultLabel)
        {
            overrides.Add("label=" + columns.Label);
        }

        return $"{name}:{Path}{(overrides.Count == 0 ? "" : "?" + string.Join('&', overrides))}";
    }

    private static string Form((string Name, DatasetKind Kind, bool TakesPath) form) => form.TakesPath ? form.Name + ":PATH" : form.Name;

    private static bool IsImageKind(DatasetKind kind) => kind is DatasetKind.FashionMnist or DatasetKind.ImageFolder;

    private static int ParseImageSize(string query, string spec)
    {
        const string key = "size=";
        return query.StartsWith(key, StringComparison.Ordinal)
            && int.TryParse(query.AsSpan(key.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size)
            && size >= 1
                ? size
                : throw new ArgumentException($"an image folder takes only ?size=N with N ≥ 1 (the side images are resized to); got '{spec}'", nameof(spec));
    }

    private static TextColumns ParseColumns(string query, string spec)
    {
        var columns = new TextColumns();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? "" : pair[(equals + 1)..];
            if (value.Length == 0)
            {
                throw new ArgumentException($"column '{key}' needs a name, as in {key}=NAME; got '{spec}'", nameof(spec));
            }

            columns = key switch
            {
                "text" => columns with { Text = value },
                "text_pair" => columns with { TextPair = value },
                "label" => columns with { Label = value },
                _ => throw new ArgumentException($"unknown column key '{key}' in '{spec}'; valid: {string.Join(", ", ColumnKeys)}", nameof(spec)),
            };
        }

        columns.Validate();
        return columns;
    }
}
