using System.Text;
using System.Text.RegularExpressions;
using MimeKit;
using MimeKit.Text;

namespace EarlyExit.Data.Datasets.SpamAssassin;

/// <summary>
/// Reads the subject and the readable body of a raw e-mail with MimeKit: transfer encodings
/// (quoted-printable, base64), charsets, multipart structure and HTML are MimeKit's job.
/// </summary>
internal static partial class MailText
{
    // Labels that the WHATWG Encoding Standard (§4.2, "Names and labels") decodes as windows-1252:
    // mail software of 2002 labelled cp1252 text (curly quotes, dashes, €) as iso-8859-1 or
    // us-ascii, and strict Latin-1 turns those bytes into C1 control characters.
    private static readonly HashSet<string> Windows1252Labels = new(StringComparer.OrdinalIgnoreCase)
    {
        "ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1", "iso-ir-100", "iso8859-1",
        "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1", "us-ascii", "windows-1252", "x-cp1252",
    };

    private static readonly Encoding Windows1252;
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static MailText()
    {
        // .NET Core knows only UTF-*, ASCII and Latin-1 until the code-page provider is
        // registered; without it windows-1252, big5 and gb2312 parts decode as Latin-1 garbage.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Windows1252 = Encoding.GetEncoding(1252);
    }

    /// <summary>Parses one message (an optional leading mbox "From " line is allowed).</summary>
    internal static MailContent Read(Stream mail)
    {
        var parser = new MimeParser(mail, MimeFormat.Entity);
        var message = parser.ParseMessage();
        var body = new StringBuilder();
        if (message.Body is { } root)
        {
            Collect(root, body);
        }

        return new MailContent(Clean(message.Subject ?? ""), Clean(body.ToString()));
    }

    /// <summary>The text of an HTML document: character data only, <c>&lt;style&gt;</c> and
    /// <c>&lt;script&gt;</c> contents and comments dropped, entities decoded, block tags as line breaks.</summary>
    internal static string HtmlToText(string html)
    {
        var text = new StringBuilder(html.Length / 2);
        var tokenizer = new HtmlTokenizer(new StringReader(html)) { DecodeCharacterReferences = true };
        var skipping = HtmlTagId.Unknown;
        while (tokenizer.ReadNextToken(out var token))
        {
            switch (token)
            {
                case HtmlTagToken tag when tag.Id is HtmlTagId.Style or HtmlTagId.Script:
                    skipping = tag.IsEndTag || tag.IsEmptyElement ? HtmlTagId.Unknown : tag.Id;
                    break;
                case HtmlTagToken tag when skipping == HtmlTagId.Unknown && IsBreak(tag.Id):
                    // One line break however many block tags meet (</p><div>).
                    if (text.Length > 0 && text[^1] != '\n')
                    {
                        text.Append('\n');
                    }

                    break;
                case HtmlDataToken data when skipping == HtmlTagId.Unknown && token.Kind == HtmlTokenKind.Data:
                    text.Append(data.Data);
                    break;
            }
        }

        return text.ToString();
    }

    private static void Collect(MimeEntity entity, StringBuilder body)
    {
        switch (entity)
        {
            case MultipartAlternative alternative:
                // The parts say the same thing; take plain text when there is one (our choice:
                // it is what the sender wrote, without markup), else the HTML, else a nested multipart.
                var chosen = alternative.OfType<TextPart>().FirstOrDefault(p => p.IsPlain)
                    ?? alternative.OfType<TextPart>().FirstOrDefault(p => p.IsHtml)
                    ?? alternative.FirstOrDefault(p => p is Multipart);
                if (chosen is not null)
                {
                    Collect(chosen, body);
                }

                break;
            case Multipart multipart:
                foreach (var part in multipart)
                {
                    Collect(part, body);
                }

                break;
            case MessagePart { Message.Body: { } forwarded }:
                Collect(forwarded, body);
                break;
            case TextPart text when !text.IsAttachment && (text.IsPlain || text.IsHtml):
                if (body.Length > 0)
                {
                    body.Append('\n');
                }

                var content = Decode(text);
                body.Append(text.IsHtml || LooksLikeHtml(content) ? HtmlToText(content) : content);
                break;
        }
    }

    // The part's charset, except for Latin-1 and ASCII labels: those are UTF-8 when the bytes are
    // valid UTF-8, else windows-1252 (see Windows1252Labels). Without a charset, MimeKit's choice
    // (a <meta> charset in HTML, else UTF-8, else Latin-1), unless that left C1 control characters,
    // the mark of windows-1252 read as Latin-1.
    private static string Decode(TextPart part)
    {
        var charset = part.ContentType.Charset;
        if (charset is null)
        {
            var text = part.Text;
            if (!text.Any(c => c is >= '\u0080' and <= '\u009F'))
            {
                return text;
            }
        }
        else if (!Windows1252Labels.Contains(charset.Trim()))
        {
            return part.Text;
        }

        try
        {
            return part.GetText(StrictUtf8);
        }
        catch (DecoderFallbackException)
        {
            return part.GetText(Windows1252);
        }
    }

    // Some spam sends an HTML document without a Content-Type, so it reads as text/plain. We treat
    // a plain part holding an <html> tag as HTML (our choice: otherwise the model sees markup).
    private static bool LooksLikeHtml(string content) => HtmlTag().IsMatch(content);

    [GeneratedRegex(@"<html[\s>]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HtmlTag();

    private static bool IsBreak(HtmlTagId id) =>
        id is HtmlTagId.Br or HtmlTagId.P or HtmlTagId.Div or HtmlTagId.TR or HtmlTagId.LI or HtmlTagId.Table
            or HtmlTagId.H1 or HtmlTagId.H2 or HtmlTagId.H3 or HtmlTagId.H4 or HtmlTagId.H5 or HtmlTagId.H6
            or HtmlTagId.HR or HtmlTagId.BlockQuote or HtmlTagId.Pre or HtmlTagId.Title;

    // Line ends as \n, no trailing spaces, at most one blank line in a row, trimmed.
    private static string Clean(string text)
    {
        var cleaned = new StringBuilder(text.Length);
        var blankLines = 0;
        foreach (var rawLine in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = rawLine.TrimEnd();
            if (line.Length == 0)
            {
                blankLines++;
                continue;
            }

            if (cleaned.Length > 0)
            {
                cleaned.Append(blankLines > 0 ? "\n\n" : "\n");
            }

            cleaned.Append(line);
            blankLines = 0;
        }

        return cleaned.ToString();
    }
}
