using EarlyExit.Data.Datasets;
using EarlyExit.Data.Fetching;

namespace EarlyExit.Data.Tests.Fetching;

// apt-get is replaced by a script that fails "download" until "update" has run.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DebianPackageTests : IDisposable
{
    private const string ForgetfulAptGet = """
        dir="$(dirname "$0")"
        if [ "$1" = update ]; then touch "$dir/updated"; exit 0; fi
        if [ -f "$dir/updated" ]; then touch "pkg_1.0-1_all.deb"; exit 0; fi
        echo "E: Unable to locate package pkg" >&2; exit 100
        """;

    private readonly string _tools = Directory.CreateTempSubdirectory("earlyexit-tools-").FullName;
    private readonly string _work = Directory.CreateTempSubdirectory("earlyexit-work-").FullName;

    public void Dispose()
    {
        Directory.Delete(_tools, recursive: true);
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public void Download_AsRoot_UpdatesOnceAndRetries()
    {
        var aptGet = FakeTool.Write(_tools, "apt-get", ForgetfulAptGet);

        var deb = DebianPackage.Download("pkg", "1.0-1", _work, default, aptGet, isRoot: true);

        Assert.Equal(Path.Combine(_work, "pkg_1.0-1_all.deb"), deb);
        Assert.Equal(["download pkg=1.0-1", "update", "download pkg=1.0-1"], FakeTool.Calls(_tools));
    }

    [Fact]
    public void Download_NotRoot_SaysExactlyWhatToRun()
    {
        var aptGet = FakeTool.Write(_tools, "apt-get", ForgetfulAptGet);

        var error = Assert.Throws<DatasetException>(() => DebianPackage.Download("pkg", "1.0-1", _work, default, aptGet, isRoot: false));

        Assert.Contains("E: Unable to locate package pkg", error.Message);
        Assert.Contains("Run:  sudo apt-get update  and try again", error.Message);
        Assert.Equal(["download pkg=1.0-1"], FakeTool.Calls(_tools));
    }

    [Fact]
    public void Download_StillUnknownAfterUpdate_Fails()
    {
        var aptGet = FakeTool.Write(_tools, "apt-get", "echo 'E: Version 1.0-1 not found' >&2; [ \"$1\" = update ] && exit 0; exit 100");

        var error = Assert.Throws<DatasetException>(() => DebianPackage.Download("pkg", "1.0-1", _work, default, aptGet, isRoot: true));

        Assert.Contains("failed even after 'apt-get update': E: Version 1.0-1 not found", error.Message);
    }

    [Fact]
    public void MissingTool_SaysWhatToInstall()
    {
        var error = Assert.Throws<DatasetException>(() => DebianPackage.Extract("x.deb", _work, default, dpkg: Path.Combine(_tools, "no-such-dpkg")));

        Assert.Contains("no-such-dpkg is not installed or not on PATH", error.Message);
    }
}
