using EarlyExit.Cli.Inputs;
using EarlyExit.Data.Datasets;

namespace EarlyExit.Cli.Tests.Inputs;

public sealed class DataSourceTests
{
    [Fact]
    public void An_unknown_name_lists_the_valid_forms()
    {
        var error = Assert.Throws<CliException>(() => DataSource.Parse("imdb"));

        Assert.Equal($"--data: unknown dataset 'imdb'; valid: {string.Join(", ", DatasetSpec.ValidForms)}", error.Message);
        Assert.Equal(CliExitStatus.UserError, error.Status);
    }

    [Fact]
    public void The_fingerprint_of_a_file_changes_when_the_file_does()
    {
        string folder = Directory.CreateTempSubdirectory("fingerprint-").FullName;
        try
        {
            string file = Path.Combine(folder, "a.csv");
            File.WriteAllText(file, "text,label\nx,1\n");
            File.SetLastWriteTimeUtc(file, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            DatasetSpec spec = DataSource.Parse("csv:" + file);
            string before = DataSource.Fingerprint(spec);
            File.WriteAllText(file, "text,label\nxy,1\n");

            Assert.NotEqual(before, DataSource.Fingerprint(spec));
            Assert.Equal("spam-assassin", DataSource.Fingerprint(DataSource.Parse("spam-assassin")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
