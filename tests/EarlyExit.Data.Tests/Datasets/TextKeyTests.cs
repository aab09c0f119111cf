using EarlyExit.Data.Datasets;

namespace EarlyExit.Data.Tests.Datasets;

public sealed class TextKeyTests
{
    [Theory]
    [InlineData("  a \t b\r\n\nc  ", "a b c")]
    [InlineData("", "")]
    [InlineData(" \n ", "")]
    [InlineData("abc", "abc")]
    public void CollapseWhitespace_MakesEachRunOneSpaceAndTrims(string text, string expected) =>
        Assert.Equal(expected, TextKey.CollapseWhitespace(text));

    [Fact]
    public void Of_SeparatesTextAndPair()
    {
        Assert.NotEqual(TextKey.Of(new TextExample("a b", null, 0)), TextKey.Of(new TextExample("a", "b", 0)));
        Assert.Equal(TextKey.Of(new TextExample("a  b", "c", 0)), TextKey.Of(new TextExample("a b", "c\n", 1)));
    }
}
