using System.Text;
using EarlyExit.Data.Datasets.SpamAssassin;

namespace EarlyExit.Data.Tests.Datasets.SpamAssassin;

// Synthetic e-mails written for these tests, in the shapes the SpamAssassin corpus has.
public sealed class MailTextTests
{
    private static MailContent Read(string mail) => Read(Encoding.Latin1.GetBytes(mail.ReplaceLineEndings("\n")));

    private static MailContent Read(byte[] mail) => MailText.Read(new MemoryStream(mail));

    [Fact]
    public void Read_DecodesQuotedPrintableWindows1252AndAnEncodedSubject()
    {
        // =80 is € and =E9 is é in windows-1252; "=" at a line end is a soft break.
        var content = Read("""
            From someone@example.com  Thu Aug 22 12:36:23 2002
            Subject: =?iso-8859-1?Q?caf=E9?= offer
            Content-Type: text/plain; charset=windows-1252
            Content-Transfer-Encoding: quoted-printable

            Price: =805 for a caf=E9 to=
            day
            """);

        Assert.Equal("café offer", content.Subject);
        Assert.Equal("Price: €5 for a café today", content.Body);
    }

    [Fact]
    public void Read_DecodesLatin1LabelsAsWindows1252_AndUnlabelledTextAsUtf8OrWindows1252()
    {
        // 0x92 is ’ in windows-1252 but a C1 control in strict Latin-1 (WHATWG decodes the label as cp1252).
        var labelled = Read(Encoding.Latin1.GetBytes("Subject: q\nContent-Type: text/plain; charset=ISO-8859-1\n\ndon\u0092t\n"));
        var utf8 = Read([.. Encoding.Latin1.GetBytes("Subject: q\n\n"), .. Encoding.UTF8.GetBytes("naïve\n")]);
        var cp1252 = Read(Encoding.Latin1.GetBytes("Subject: q\n\nna\u00efve \u0093quoted\u0094\n"));

        Assert.Equal("don’t", labelled.Body);
        Assert.Equal("naïve", utf8.Body);
        Assert.Equal("naïve “quoted”", cp1252.Body);
    }

    [Fact]
    public void Read_DecodesBase64Big5AndGb2312Parts()
    {
        // "中文" is A4 A4 A4 E5 in big5 (base64 pKSk5Q==) and D6 D0 CE C4 in gb2312 (base64 1tDOxA==).
        var content = Read("""
            Subject: cjk
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: text/plain; charset=big5
            Content-Transfer-Encoding: base64

            pKSk5Q==
            --b
            Content-Type: text/plain; charset=gb2312
            Content-Transfer-Encoding: base64

            1tDOxA==
            --b--
            """);

        Assert.Equal("中文\n中文", content.Body);
    }

    [Fact]
    public void Read_TakesThePlainPartOfAnAlternative()
    {
        var content = Read("""
            Subject: alt
            Content-Type: multipart/alternative; boundary="b"

            --b
            Content-Type: text/plain

            plain words
            --b
            Content-Type: text/html

            <p>html words</p>
            --b--
            """);

        Assert.Equal("plain words", content.Body);
    }

    [Fact]
    public void Read_TurnsHtmlIntoTextWithoutStyleScriptOrComments()
    {
        var content = Read("""
            Subject: html
            Content-Type: text/html

            <html><head><style>p { color: red }</style><script>var x = 1;</script></head>
            <body><p>Buy&nbsp;now &amp; save</p><!-- hidden --><div>50%<br>off</div></body></html>
            """);

        Assert.Equal("Buy\u00a0now & save\n50%\noff", content.Body);
    }

    [Fact]
    public void Read_TreatsAnUnlabelledHtmlDocumentAsHtml()
    {
        // No Content-Type header, so MIME says text/plain, but the body is an HTML document.
        var content = Read("""
            Subject: sneaky

            <HTML><BODY><FONT size=3>Cheap <B>pills</B></FONT></BODY></HTML>
            """);

        Assert.Equal("Cheap pills", content.Body);
    }

    [Fact]
    public void Read_SkipsAttachmentsAndGivesAnEmptyBodyWhenNoTextIsLeft()
    {
        var content = Read("""
            Subject: only an attachment
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: text/plain
            Content-Disposition: attachment; filename="notes.txt"

            attached text
            --b
            Content-Type: image/gif
            Content-Transfer-Encoding: base64

            R0lGODlhAQABAAAAACw=
            --b--
            """);

        Assert.Equal("only an attachment", content.Subject);
        Assert.Equal("", content.Body);
    }

    [Fact]
    public void Read_TrimsLinesAndCollapsesBlankLines()
    {
        var content = Read("Subject:  spaced  \n\n\n  first line   \n\n\n\nsecond\n\n");

        Assert.Equal("spaced", content.Subject);
        Assert.Equal("  first line\n\nsecond", content.Body);
    }
}
