namespace EarlyExit.Data.Tests.Fetching;

/// <summary>A bash script standing in for npm, apt-get or dpkg, which appends each call's arguments to a log.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class FakeTool
{
    /// <summary>Writes an executable script <paramref name="name"/> in <paramref name="folder"/> running <paramref name="body"/>
    /// after logging "$*" to <c>calls.log</c> there.</summary>
    internal static string Write(string folder, string name, string body)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, $"#!/bin/bash\necho \"$*\" >> '{Path.Combine(folder, "calls.log")}'\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    internal static string[] Calls(string folder) =>
        File.Exists(Path.Combine(folder, "calls.log")) ? File.ReadAllLines(Path.Combine(folder, "calls.log")) : [];
}
