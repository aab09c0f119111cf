using EarlyExit.Data.Datasets.RData;

namespace EarlyExit.Data.Tests.Datasets.RData;

// Fixtures are synthetic, written by RWriter in R's XDR v3 format.
public sealed class RSerializationReaderTests
{
    // Character vectors with NA shown as "<NA>".
    private static string[] Texts(RValue? value) => [.. Assert.IsType<RValue.Strings>(value).Values.Select(v => v ?? "<NA>")];

    [Fact]
    public void Read_ADataFrameOfCharacterFactorLogicalAndDoubleColumns()
    {
        var bytes = RWriter.Serialize(w => w.DataFrame(
            3,
            ("review", c => c.Strings(["good", null, "très bien"])),
            ("score", c => c.Factor([1, 2, 1], "great", "other")),
            ("flag", c => c.Integers(10, [1, 0, int.MinValue])),
            ("x", c => c.Doubles([0.5, -2, double.NaN]))));

        var frame = Assert.IsType<RValue.List>(RSerializationReader.Read(bytes, "test"));

        Assert.Equal(["review", "score", "flag", "x"], Texts(frame.Attribute("names")));
        Assert.Equal(["tbl_df", "tbl", "data.frame"], Texts(frame.Attribute("class")));
        Assert.Equal(["good", "<NA>", "très bien"], Texts(frame.Items[0]));
        var score = Assert.IsType<RValue.Integers>(frame.Items[1]);
        Assert.Equal([1, 2, 1], score.Values);
        Assert.Equal(["great", "other"], Texts(score.Attribute("levels")));
        Assert.Equal([1, 0, int.MinValue], Assert.IsType<RValue.Logicals>(frame.Items[2]).Values);
        Assert.Equal([0.5, -2, double.NaN], Assert.IsType<RValue.Doubles>(frame.Items[3]).Values);
    }

    [Fact]
    public void Read_ResolvesSymbolReferencesAndLatin1Strings()
    {
        // The second "names" tag is a reference (type 255, index 1) to the first.
        var bytes = RWriter.Serialize(w => w.List(
            [a => a.Strings(["x"], ("names", n => n.Strings(["first"]))), b => b.Chars("caf\u00e9", RWriter.Latin1Level)],
            ("names", n => n.Strings(["a", "b"]))));

        var list = Assert.IsType<RValue.List>(RSerializationReader.Read(bytes, "test"));

        Assert.Equal(["first"], Texts(list.Items[0].Attribute("names")));
        Assert.Equal(["café"], Texts(list.Items[1]));
        Assert.Equal(["a", "b"], Texts(list.Attribute("names")));
    }

    [Fact]
    public void Read_RejectsAnUnsupportedTypeByNumber()
    {
        // Type 3 is a closure (a function): not data.
        var bytes = RWriter.Serialize(w => w.Header(3));

        var error = Assert.Throws<InvalidDataException>(() => RSerializationReader.Read(bytes, "entry 'f'"));

        Assert.Contains("entry 'f' holds R type 3", error.Message);
    }

    [Fact]
    public void Read_RejectsTruncatedDataAndOtherFormats()
    {
        var bytes = RWriter.Serialize(w => w.Strings(["hello"]));

        Assert.Contains("ends early", Assert.Throws<InvalidDataException>(() => RSerializationReader.Read(bytes[..^2], "t")).Message);
        Assert.Contains("only R's XDR", Assert.Throws<InvalidDataException>(() => RSerializationReader.Read("A\n"u8.ToArray(), "t")).Message);
    }
}
