using EarlyExit.Cli.Terminal;

namespace EarlyExit.Cli.Tests.Terminal;

public sealed class TextTableTests
{
    [Fact]
    public void Columns_are_padded_to_the_widest_cell_first_left_then_right()
    {
        var output = new StringWriter();
        TextTable.Write(output, ["policy", "acc"], [["max-prob", "98.1%"], ["pcee", "9%"]]);

        Assert.Equal(
            "policy      acc\n" +
            "--------  -----\n" +
            "max-prob  98.1%\n" +
            "pcee         9%\n", output.ToString().ReplaceLineEndings("\n"));
    }
}
