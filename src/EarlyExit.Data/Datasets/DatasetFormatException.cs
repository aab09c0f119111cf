namespace EarlyExit.Data.Datasets;

/// <summary>A data file is malformed. The message and properties name the file, the line and the field.</summary>
public sealed class DatasetFormatException : DatasetException
{
    /// <summary>Creates the exception; the message reads "FILE:LINE: field 'FIELD': PROBLEM".</summary>
    /// <param name="file">Path of the file.</param>
    /// <param name="line">1-based line (of the record's start), or <see langword="null"/> when not tied to a line.</param>
    /// <param name="field">Column or field name, or <see langword="null"/> when not tied to one.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="innerException">The parser's exception, if any.</param>
    public DatasetFormatException(string file, long? line, string? field, string problem, Exception? innerException = null)
        : base(Format(file, line, field, problem), innerException)
    {
        File = file;
        Line = line;
        Field = field;
        Problem = problem;
    }

    /// <summary>Path of the file.</summary>
    public string File { get; }

    /// <summary>1-based line where the bad record starts, or <see langword="null"/>.</summary>
    public long? Line { get; }

    /// <summary>Column or field name, or <see langword="null"/>.</summary>
    public string? Field { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }

    private static string Format(string file, long? line, string? field, string problem) =>
        $"{file}{(line is { } l ? $":{l}" : "")}: {(field is null ? "" : $"field '{field}': ")}{problem}";
}
