using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace EarlyExit.Cli.Terminal;

/// <summary>
/// <c>--help</c> as System.CommandLine writes it, followed by the command's examples (System.CommandLine
/// has no examples section of its own; putting them in the description would also print them in
/// the parent's command list).
/// </summary>
/// <param name="inner">The default help action.</param>
/// <param name="examples">Examples by command name; commands without any get the plain help.</param>
public sealed class ExamplesHelpAction(HelpAction inner, IReadOnlyDictionary<string, string> examples) : SynchronousCommandLineAction
{
    /// <inheritdoc/>
    public override bool ClearsParseErrors => true;

    /// <summary>Writes the help, then the examples of the command being helped.</summary>
    /// <param name="parseResult">The parse of the command line that asked for help.</param>
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        int status = inner.Invoke(parseResult);
        if (examples.TryGetValue(parseResult.CommandResult.Command.Name, out string? text))
        {
            TextWriter output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Examples:");
            output.WriteLine(text.TrimEnd());
            output.WriteLine();
        }
        return status;
    }
}
