using EarlyExit.Core.IO;
using EarlyExit.Data.Scoring;

namespace EarlyExit.Cli.Scoring;

/// <summary>Where <c>earlyexit score</c> puts committed windows: durable when <see cref="Append"/> returns.</summary>
internal interface IScoreSink : IDisposable
{
    /// <summary>What is committed: bytes of a text output, part files of a Parquet output.</summary>
    long Committed { get; }

    /// <summary>Appends one window's results and makes them durable.</summary>
    void Append(IReadOnlyList<ScoreResult> rows);

    /// <summary>Completes the output file (a Parquet output's parts are merged into it).</summary>
    void Finish();
}

/// <summary>The sinks, by output format.</summary>
internal static class ScoreSinks
{
    /// <summary>A new output (<paramref name="committed"/> null) or an interrupted one cut back to what was committed.</summary>
    public static IScoreSink Open(string path, ScoreFileFormat format, IReadOnlyList<string> classNames, bool allProbabilities, long? committed) =>
        format == ScoreFileFormat.Parquet
            ? new ParquetSink(path, ParquetScoreFiles.Schema(classNames, allProbabilities), committed)
            : new TextSink(path, new ScoreResultWriter(format, classNames, allProbabilities), committed);

    /// <summary>CSV, TSV, JSON Lines: chunks appended and flushed to disk; a resume truncates what a kill left after the last commit.</summary>
    private sealed class TextSink : IScoreSink
    {
        private readonly FileStream _stream;
        private readonly ScoreResultWriter _writer;

        public TextSink(string path, ScoreResultWriter writer, long? committed)
        {
            _writer = writer;
            _stream = new FileStream(path, committed is null ? FileMode.CreateNew : FileMode.Open, FileAccess.Write, FileShare.Read);
            if (committed is { } size)
            {
                if (_stream.Length < size)
                    throw new CliException($"--resume: {path} is shorter than the {size:N0} bytes committed; it was changed since, so the run cannot continue");
                _stream.SetLength(size);
                _stream.Seek(0, SeekOrigin.End);
            }
            else
            {
                _stream.Write(writer.FormatHeader());
                _stream.Flush(flushToDisk: true);
            }
        }

        public long Committed => _stream.Length;

        public void Append(IReadOnlyList<ScoreResult> rows)
        {
            _stream.Write(_writer.Format(rows));
            _stream.Flush(flushToDisk: true);
        }

        public void Finish() => _stream.Flush(flushToDisk: true);

        public void Dispose() => _stream.Dispose();
    }

    /// <summary>Parquet: one part file per window in OUTPUT.parts/ (each written atomically), merged into OUTPUT at the end.</summary>
    private sealed class ParquetSink : IScoreSink
    {
        private readonly string _path, _parts;
        private readonly Parquet.Schema.ParquetSchema _schema;

        public ParquetSink(string path, Parquet.Schema.ParquetSchema schema, long? committed)
        {
            _path = path;
            _schema = schema;
            _parts = path + ".parts";
            if (committed is null)
            {
                if (Directory.Exists(_parts))
                    throw new CliException($"{_parts} already exists (parts of another run); delete it or choose another --output");
                Directory.CreateDirectory(_parts);
            }
            else
            {
                // A part written after the last commit is not part of the output.
                foreach (string part in Directory.EnumerateFiles(_parts).Where(p => Index(p) is not { } i || i >= committed))
                    File.Delete(part);
                if (Directory.EnumerateFiles(_parts).Count() != committed)
                    throw new CliException($"--resume: {_parts} holds fewer than the {committed:N0} parts committed; it was changed since, so the run cannot continue");
            }
            Committed = committed ?? 0;
        }

        public long Committed { get; private set; }

        public void Append(IReadOnlyList<ScoreResult> rows)
        {
            AtomicFile.Write(PartPath(Committed), stream => ParquetScoreFiles.WritePart(stream, _schema, rows));
            Committed++;
        }

        public void Finish()
        {
            AtomicFile.Write(_path, stream => ParquetScoreFiles.Merge(stream, _schema, Enumerable.Range(0, (int)Committed).Select(i => PartPath(i))));
            Directory.Delete(_parts, recursive: true);
        }

        public void Dispose()
        {
        }

        private string PartPath(long index) => Path.Combine(_parts, index.ToString("D8", System.Globalization.CultureInfo.InvariantCulture) + ".parquet");

        private static long? Index(string part) =>
            Path.GetExtension(part) == ".parquet" && long.TryParse(Path.GetFileNameWithoutExtension(part), out long i) ? i : null;
    }
}
