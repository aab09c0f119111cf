using System.Buffers.Binary;
using System.Text;

namespace EarlyExit.Data.Tests.Datasets.RData;

/// <summary>
/// Writes R's XDR serialization (version 3) by hand for synthetic test fixtures, following
/// "R Internals" §1.8: item header = type | 1 &lt;&lt; 9 (has attributes) | 1 &lt;&lt; 10 (has tag) | levels &lt;&lt; 12.
/// </summary>
internal sealed class RWriter
{
    internal const int Utf8Level = 1 << 3, Latin1Level = 1 << 2;

    private readonly MemoryStream _bytes = new();
    private readonly List<string> _symbols = [];

    /// <summary>The header "X\n", version 3, R 4.2.2, min 3.5.0, native encoding UTF-8, then what <paramref name="write"/> writes.</summary>
    internal static byte[] Serialize(Action<RWriter> write)
    {
        var writer = new RWriter();
        writer._bytes.Write("X\n"u8);
        writer.Int(3);
        writer.Int(0x00040202);
        writer.Int(0x00030500);
        writer.Int(5);
        writer._bytes.Write("UTF-8"u8);
        write(writer);
        return writer._bytes.ToArray();
    }

    internal void Int(int value)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, value);
        _bytes.Write(word);
    }

    internal void Header(int type, bool attributes = false, bool tag = false, int levels = 0) =>
        Int(type | (attributes ? 1 << 9 : 0) | (tag ? 1 << 10 : 0) | (levels << 12));

    internal void Chars(string? value, int levels = Utf8Level)
    {
        Header(9, levels: levels);
        if (value is null)
        {
            Int(-1);
            return;
        }

        var bytes = (levels & Latin1Level) != 0 ? Encoding.Latin1.GetBytes(value) : Encoding.UTF8.GetBytes(value);
        Int(bytes.Length);
        _bytes.Write(bytes);
    }

    internal void Strings(string?[] values, params (string Tag, Action<RWriter> Value)[] attributes)
    {
        Header(16, attributes: attributes.Length > 0);
        Int(values.Length);
        foreach (var value in values)
        {
            Chars(value);
        }

        Attributes(attributes);
    }

    internal void Integers(int type, int[] values, params (string Tag, Action<RWriter> Value)[] attributes)
    {
        Header(type, attributes: attributes.Length > 0);
        Int(values.Length);
        foreach (var value in values)
        {
            Int(value);
        }

        Attributes(attributes);
    }

    internal void Doubles(double[] values)
    {
        Header(14);
        Int(values.Length);
        Span<byte> word = stackalloc byte[8];
        foreach (var value in values)
        {
            BinaryPrimitives.WriteDoubleBigEndian(word, value);
            _bytes.Write(word);
        }
    }

    internal void List(Action<RWriter>[] items, params (string Tag, Action<RWriter> Value)[] attributes)
    {
        Header(19, attributes: attributes.Length > 0);
        Int(items.Length);
        foreach (var item in items)
        {
            item(this);
        }

        Attributes(attributes);
    }

    /// <summary>A symbol: written out the first time, then as a reference (type 255, index in the high bits).</summary>
    internal void Symbol(string name)
    {
        var index = _symbols.IndexOf(name);
        if (index >= 0)
        {
            Int(255 | ((index + 1) << 8));
            return;
        }

        _symbols.Add(name);
        Header(1);
        Chars(name);
    }

    internal void Null() => Int(254);

    /// <summary>A data frame: a list of named columns with class data.frame and compact row names c(NA, -n).</summary>
    internal void DataFrame(int rows, params (string Name, Action<RWriter> Column)[] columns) =>
        List(
            [.. columns.Select(c => c.Column)],
            ("names", w => w.Strings([.. columns.Select(c => c.Name)])),
            ("class", w => w.Strings(["tbl_df", "tbl", "data.frame"])),
            ("row.names", w => w.Integers(13, [int.MinValue, -rows])));

    /// <summary>A factor: 1-based integer codes with levels and class "factor".</summary>
    internal void Factor(int[] codes, params string[] levels) =>
        Integers(13, codes, ("levels", w => w.Strings(levels)), ("class", w => w.Strings(["factor"])));

    private void Attributes((string Tag, Action<RWriter> Value)[] attributes)
    {
        if (attributes.Length == 0)
        {
            return;
        }

        foreach (var (tag, value) in attributes)
        {
            Header(2, tag: true);
            Symbol(tag);
            value(this);
        }

        Null();
    }
}
