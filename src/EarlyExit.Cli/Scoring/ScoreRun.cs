using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EarlyExit.Cli.Terminal;
using EarlyExit.Core.Policies;
using EarlyExit.Data.Scoring;

namespace EarlyExit.Cli.Scoring;

/// <summary>
/// The streaming loop of <c>earlyexit score</c>: a window of rows is read, classified (the
/// classifier sorts it by length into token-budget batches) and its results appended to the output
/// in input order, then committed (both files flushed to disk, the state file replaced), so memory
/// is bounded by the window and a killed run resumes after its last committed window.
/// </summary>
/// <remarks>The caller has checked the options and the files (ScoreCommand): the formats, and that the
/// output, state and errors files exist exactly when <see cref="ScoreSettings.Resume"/> says so.</remarks>
internal sealed class ScoreRun(ScoreSettings settings, ScoreFileFormat inputFormat, ScoreFileFormat outputFormat,
    EarlyExitClassifier classifier, string policyName, TextWriter stderr)
{
    private readonly ScoreFileFormat _inputFormat = inputFormat;
    private readonly ScoreFileFormat _outputFormat = outputFormat;
    private readonly bool _skipErrors = settings.OnError == "skip";
    private readonly string _errorsPath = settings.ErrorsPath;

    /// <summary>Scores the whole input (or what is left of it), returning the totals.</summary>
    /// <exception cref="CliException">A bad row with --on-error fail (named by line), a resume that does not match, an output that exists.</exception>
    /// <param name="scorerFor">The scorer of the run whose state is given (a distributed one reads the job's id from it).</param>
    /// <param name="cancellationToken">Ctrl-C: stop after the window being committed.</param>
    public ScoreState Run(Func<ScoreState, IWindowScorer> scorerFor, CancellationToken cancellationToken)
    {
        string statePath = ScoreState.PathFor(settings.Output);
        ScoreJobKey key = Key();
        ScoreState state;
        IScoreSink sink;
        if (settings.Resume)
        {
            state = Resumed(statePath, key);
            sink = ScoreSinks.Open(settings.Output, _outputFormat, classifier.Labels, settings.AllProbabilities, state.OutputBytes);
        }
        else
        {
            sink = ScoreSinks.Open(settings.Output, _outputFormat, classifier.Labels, settings.AllProbabilities, null);
            state = new ScoreState(1, key, 0, sink.Committed, 0, 0, 0, new long[classifier.ExitCount], 0, 0,
                settings.Nats is null ? null : $"{key.InputHeadSha256[..8]}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
            state.Save(statePath);
        }
        using var output = sink;
        var clock = Stopwatch.StartNew();
        double before = state.Seconds;
        // One pass over a text input finds both its invalid UTF-8 and the row count the progress bar expects.
        ScoreRowReader.LineScan? scan = _inputFormat == ScoreFileFormat.Parquet ? null : ScoreRowReader.ScanLines(settings.Input);
        long total = scan is null ? ParquetRows(settings.Input)
            : Math.Max(1, scan.Lines - (_inputFormat == ScoreFileFormat.Jsonl ? 0 : 1));

        using FileStream? errors = File.Exists(_errorsPath) || _skipErrors ? new FileStream(_errorsPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read) : null;
        if (errors is not null)
        {
            if (errors.Length < state.ErrorsBytes)
                throw new CliException($"--resume: {_errorsPath} is shorter than the {state.ErrorsBytes:N0} bytes {statePath} committed; it was changed since, so the run cannot continue");
            if (errors.Length == 0 && state.ErrorsBytes == 0) state = state with { ErrorsBytes = WriteErrorHeader(errors) };
            errors.SetLength(state.ErrorsBytes);
            errors.Seek(0, SeekOrigin.End);
        }

        return ConsoleProgress.Run(stderr, $"scoring {Path.GetFileName(settings.Input)}", total, bar =>
        {
            IWindowScorer scorer = scorerFor(state);
            foreach (ScoredWindow done in scorer.Score(Windows(state.RowsRead), cancellationToken))
            {
                state = Commit(done, state, output, errors, statePath, before + clock.Elapsed.TotalSeconds);
                Report(bar, state, scorer.Status);
                if (cancellationToken.IsCancellationRequested) return state;
            }
            Report(bar, state, scorer.Status);
            output.Finish();
            return state;
        }, s => !cancellationToken.IsCancellationRequested);

        // The windows after the committed rows, numbered by their place in the input.
        IEnumerable<ScoreWindow> Windows(long committed)
        {
            var window = new List<ScoreRow>(settings.Window);
            long index = committed / settings.Window;
            foreach (ScoreRow row in ScoreRowReader.Read(settings.Input, _inputFormat, settings.TextColumn, settings.IdColumn, scan))
            {
                if (row.Index < committed) continue; // committed by an earlier run
                window.Add(row);
                if (window.Count < settings.Window) continue;
                yield return new ScoreWindow(index++, window);
                window = new List<ScoreRow>(settings.Window);
            }
            if (window.Count > 0) yield return new ScoreWindow(index, window);
        }
    }

    private ScoreState Commit(ScoredWindow done, ScoreState state, IScoreSink output, FileStream? errors, string statePath, double seconds)
    {
        IReadOnlyList<ScoreRow> window = done.Window.Rows;
        ScoreRow? bad = window.FirstOrDefault(r => !r.IsValid);
        if (bad is not null && !_skipErrors)
            throw new CliException($"{settings.Input}, line {bad.Line} (row {bad.Id}): {bad.Problem}; --on-error skip writes such rows to an errors file and goes on. "
                + $"{state.RowsRead:N0} rows before this window are committed: --resume continues there");
        if (done.Failure is { } failure && !_skipErrors)
            throw new CliException($"{settings.Input}, lines {window[0].Line}–{window[^1].Line}: {failure}; --on-error skip writes its rows to the errors file and goes on. "
                + $"{state.RowsRead:N0} rows before it are committed: --resume continues there");
        // A dead-lettered window's rows are errors with its reason; the rows it had valid otherwise.
        ScoreRow[] failed = done.Failure is null ? [.. window.Where(r => !r.IsValid)] : [.. window.Select(r => r.IsValid ? r with { Problem = done.Failure } : r)];
        IReadOnlyList<ScoreResult> results = done.Results ?? [];
        long[] exits = [.. state.ExitCounts];
        double compute = state.ComputeSum;
        foreach (ScoreResult r in results)
        {
            exits[r.Exit - 1]++;
            compute += r.Compute;
        }
        output.Append(results);
        long errorsBytes = state.ErrorsBytes;
        if (errors is not null && failed.Length > 0)
        {
            byte[] lines = Encoding.UTF8.GetBytes(string.Concat(failed.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Line}\t{Clean(r.Id)}\t{Clean(r.Problem!)}\n"))));
            errors.Write(lines);
            errors.Flush(flushToDisk: true);
            errorsBytes += lines.Length;
        }
        // The state last: until it is replaced, the old one says to cut this window off again.
        var next = state with
        {
            RowsRead = state.RowsRead + window.Count,
            OutputBytes = output.Committed,
            ErrorsBytes = errorsBytes,
            Scored = state.Scored + results.Count,
            Failed = state.Failed + failed.Length,
            ExitCounts = exits,
            ComputeSum = compute,
            Seconds = seconds,
        };
        next.Save(statePath);
        return next;
    }

    private static void Report(IProgressBar bar, ScoreState s, string status)
    {
        double meanExit = s.Scored == 0 ? 0 : s.ExitCounts.Select((c, m) => c * (m + 1.0)).Sum() / s.Scored;
        bar.Report(s.RowsRead, string.Create(CultureInfo.InvariantCulture, $"{s.RowsRead:N0} rows, {s.RowsRead / Math.Max(s.Seconds, 1e-9):F0} rows/s, mean exit {meanExit:F2}{status}"));
    }

    private ScoreState Resumed(string statePath, ScoreJobKey key)
    {
        ScoreState state = ScoreState.Load(statePath);
        if (state.Job != key)
            throw new CliException($"--resume: {statePath} was written for another job (input, model, policy or options differ: {Difference(state.Job, key)}); run it as it was, or delete the output and the state file");
        if ((state.NatsJob is null) != (settings.Nats is null))
            throw new CliException(state.NatsJob is null
                ? $"--resume: {statePath} is a run on this machine; resume it without --nats"
                : $"--resume: {statePath} is a run on NATS workers (job {state.NatsJob}); resume it with --nats and the same server");
        stderr.WriteLine($"resuming after row {state.RowsRead:N0} ({state.Scored:N0} scored, {state.Failed:N0} errors)");
        return state;
    }

    private static string Difference(ScoreJobKey was, ScoreJobKey now) =>
        was.Input != now.Input ? "input" : was.InputBytes != now.InputBytes || was.InputHeadSha256 != now.InputHeadSha256 ? "the input file changed"
        : was.WeightsSha256 != now.WeightsSha256 ? "model weights" : was.Policy != now.Policy ? $"policy {was.Policy} then, {now.Policy} now" : $"options {was.Options} then, {now.Options} now";

    // --on-error is not part of the key: a run that stopped at a bad row may go on with skip.
    private ScoreJobKey Key()
    {
        var info = new FileInfo(settings.Input);
        using var stream = info.OpenRead();
        byte[] head = new byte[(int)Math.Min(info.Length, 1 << 20)];
        stream.ReadExactly(head);
        string options = string.Join(";", _inputFormat, _outputFormat, settings.TextColumn, settings.IdColumn ?? "(row number)", settings.AllProbabilities,
            settings.Window, settings.MaxBatchTokens, settings.BatchSize, settings.Backend, settings.Precision);
        return new ScoreJobKey(info.FullName, info.Length, Convert.ToHexStringLower(SHA256.HashData(head)), classifier.Folder.WeightsHash(), policyName, options);
    }

    private static long WriteErrorHeader(FileStream errors)
    {
        byte[] header = "line\tid\tproblem\n"u8.ToArray();
        errors.Write(header);
        errors.Flush(flushToDisk: true);
        return header.Length;
    }

    // A tab or newline in an id or a message would break the errors file's TSV.
    private static string Clean(string value) => value.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');

    // The row count from the footer; an unreadable file gets 1 here and its error from the reader.
    private static long ParquetRows(string path)
    {
        Parquet.ParquetReader reader;
        try
        {
            reader = Parquet.ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or Parquet.ParquetException)
        {
            return 1;
        }
        try
        {
            return Math.Max(1, reader.RowGroups.Sum(g => g.RowCount));
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
