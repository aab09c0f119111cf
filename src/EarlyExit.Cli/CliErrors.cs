namespace EarlyExit.Cli;

/// <summary>Turns library exceptions into the one line a user reads.</summary>
public static class CliErrors
{
    /// <summary>
    /// The message of <paramref name="exception"/> without what .NET appends to it
    /// (" (Parameter 'x')", "Actual value was y."): the libraries' messages already name the
    /// argument and the value.
    /// </summary>
    /// <param name="exception">An argument exception from Core, Data or Torch.</param>
    public static string MessageOf(ArgumentException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string message = exception.Message;
        if (exception.ParamName is { } name) message = message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        if (exception is ArgumentOutOfRangeException { ActualValue: { } value })
            message = message.Replace($"Actual value was {value}.", "", StringComparison.Ordinal);
        return CliRunner.OneLine(message);
    }
}
