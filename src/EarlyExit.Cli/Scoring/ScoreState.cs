using System.Text.Json;
using System.Text.Json.Serialization;
using EarlyExit.Core.IO;

namespace EarlyExit.Cli.Scoring;

/// <summary>
/// What <c>earlyexit score</c> has committed, kept beside the output (<c>OUTPUT.score-state.json</c>)
/// and replaced atomically after every chunk: how many input rows are done and how many bytes of
/// the output and errors files hold them. <c>--resume</c> cuts both files back to those sizes (what a
/// kill left half-written after them goes) and continues at the next row: no gap, no duplicate.
/// </summary>
/// <param name="FormatVersion">1.</param>
/// <param name="Job">What was being scored; a resume must ask for the same.</param>
/// <param name="RowsRead">Input data rows committed (scored or reported as errors).</param>
/// <param name="OutputBytes">What the output holds committed: its size for CSV, TSV and JSON Lines, its part files for Parquet.</param>
/// <param name="ErrorsBytes">Committed size of the errors file (0 when there is none).</param>
/// <param name="Scored">Rows scored so far.</param>
/// <param name="Failed">Rows reported as errors so far.</param>
/// <param name="ExitCounts">Scored rows per exit (0-based).</param>
/// <param name="ComputeSum">Σ of the scored rows' compute fractions.</param>
/// <param name="Seconds">Wall seconds spent in the runs so far.</param>
/// <param name="NatsJob">With <c>--nats</c>: the job's id on JetStream (its subjects and message ids), so a resumed
/// submitter finds the answers that came while it was down; null for a run on this machine.</param>
internal sealed record ScoreState(int FormatVersion, ScoreJobKey Job, long RowsRead, long OutputBytes, long ErrorsBytes,
    long Scored, long Failed, long[] ExitCounts, double ComputeSum, double Seconds, string? NatsJob = null)
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The state file of an output file.</summary>
    public static string PathFor(string output) => output + ".score-state.json";

    /// <summary>Writes the state atomically (temporary file, then rename).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Options));

    /// <summary>Reads a state file.</summary>
    /// <exception cref="CliException">The file is not a state this version wrote.</exception>
    public static ScoreState Load(string path)
    {
        try
        {
            ScoreState? state = JsonSerializer.Deserialize<ScoreState>(File.ReadAllText(path), Options);
            if (state is null || state.FormatVersion != 1 || state.Job is null || state.ExitCounts is null)
                throw new CliException($"{path}: not a score state this earlyexit wrote; delete it and the output to start again");
            return state;
        }
        catch (JsonException e)
        {
            throw new CliException($"{path}: not valid JSON ({e.Message}); delete it and the output to start again", CliExitStatus.UserError, e);
        }
    }
}

/// <summary>What a score run computes; two runs with equal keys write the same output.</summary>
/// <param name="Input">The input file's full path.</param>
/// <param name="InputBytes">Its size when the run started.</param>
/// <param name="InputHeadSha256">SHA-256 of its first MiB (a changed file is caught without reading it all).</param>
/// <param name="WeightsSha256">The model's weights.</param>
/// <param name="Policy">The policy, as name:parameter.</param>
/// <param name="Options">The options that shape the output (formats, columns, probabilities, error handling).</param>
internal sealed record ScoreJobKey(string Input, long InputBytes, string InputHeadSha256, string WeightsSha256, string Policy, string Options);
