namespace EarlyExit.Core.Traces;

/// <summary>
/// What a trace says it was recorded from, stored in the trace file itself, so that a cache can
/// check a file against the split and data it is asked for, not only against a manifest kept
/// beside it (a trace copied over another keeps its manifest entry, not its content).
/// </summary>
/// <param name="Split">The split's name, e.g. "validation" or "test".</param>
/// <param name="DataHash">A hash of the data the split was drawn from, as the recorder computes it
/// (compared for equality only).</param>
public sealed record TraceProvenance(string Split, string DataHash);
