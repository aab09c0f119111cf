using EarlyExit.Data.Datasets;
using EarlyExit.Data.Fetching;

namespace EarlyExit.Data.Tests.Fetching;

// npm is replaced by a script.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NpmPackageTests : IDisposable
{
    private readonly string _tools = Directory.CreateTempSubdirectory("earlyexit-tools-").FullName;
    private readonly string _work = Directory.CreateTempSubdirectory("earlyexit-work-").FullName;

    public void Dispose()
    {
        Directory.Delete(_tools, recursive: true);
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public void Pack_ReturnsTheTarballWithoutRunningScripts()
    {
        var npm = FakeTool.Write(_tools, "npm", "touch scope-pkg-1.2.3.tgz; echo scope-pkg-1.2.3.tgz");

        var tgz = NpmPackage.Pack("@scope/pkg@1.2.3", _work, default, npm);

        Assert.Equal(Path.Combine(_work, "scope-pkg-1.2.3.tgz"), tgz);
        Assert.Equal(["pack @scope/pkg@1.2.3 --ignore-scripts"], FakeTool.Calls(_tools));
    }

    [Fact]
    public void Pack_Failure_QuotesNpm()
    {
        var npm = FakeTool.Write(_tools, "npm", "echo 'npm error 404 Not Found' >&2; exit 1");

        var error = Assert.Throws<DatasetException>(() => NpmPackage.Pack("@scope/pkg@9.9.9", _work, default, npm));

        Assert.Contains("(exit code 1, 0 .tgz written): npm error 404 Not Found", error.Message);
    }
}
