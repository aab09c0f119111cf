using System.CommandLine;
using EarlyExit.Cli.Commands;

// Main only composes the root command; each command lives in its own class.
var root = new RootCommand("earlyexit — train, calibrate, evaluate and serve early-exit neural networks.")
{
    DemoCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
