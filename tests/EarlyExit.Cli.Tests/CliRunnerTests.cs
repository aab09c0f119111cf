namespace EarlyExit.Cli.Tests;

public sealed class CliRunnerTests
{
    [Fact]
    public void A_user_error_prints_its_message_on_one_line_with_its_status()
    {
        var error = new StringWriter();
        var status = CliRunner.Run(error, () => throw new CliException("--data: no\nsuch thing"), CancellationToken.None);

        Assert.Equal(CliExitStatus.UserError, status);
        Assert.Equal("earlyexit: --data: no such thing\n", error.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void An_unexpected_exception_is_an_internal_error_on_one_line()
    {
        var error = new StringWriter();
        var status = CliRunner.Run(error, () => throw new InvalidOperationException("bug"), CancellationToken.None);

        Assert.Equal(CliExitStatus.InternalError, status);
        Assert.Equal(2, (int)status);
        Assert.Equal("earlyexit: internal error: InvalidOperationException: bug (set EARLYEXIT_DEBUG=1 for the stack trace)\n", error.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_cancellation_while_cancelled_is_status_130()
    {
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var error = new StringWriter();
        var status = CliRunner.Run(error, () => { stop.Token.ThrowIfCancellationRequested(); return CliExitStatus.Success; }, stop.Token);

        Assert.Equal(CliExitStatus.Cancelled, status);
        Assert.Equal(130, (int)status);
    }

    [Fact]
    public void A_cancellation_nobody_asked_for_is_an_internal_error()
    {
        var status = CliRunner.Run(new StringWriter(), () => throw new OperationCanceledException(), CancellationToken.None);

        Assert.Equal(CliExitStatus.InternalError, status);
    }
}
