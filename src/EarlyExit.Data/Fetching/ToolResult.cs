namespace EarlyExit.Data.Fetching;

/// <summary>How an external command ended.</summary>
internal sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError);
