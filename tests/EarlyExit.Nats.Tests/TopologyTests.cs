namespace EarlyExit.Nats.Tests;

public sealed class TopologyTests
{
    [Fact]
    public void Names_follow_the_prefix_and_the_pool()
    {
        var topology = new NatsScoringTopology(new NatsScoringOptions { Url = "nats://x", Prefix = "ee-test" });
        Assert.Equal("EE_TEST_WORK", topology.WorkStream);
        Assert.Equal("EE_TEST_RESULTS", topology.ResultsStream);
        Assert.Equal("ee-test.work.p1", topology.WorkSubject("p1"));
        Assert.Equal("ee-test.results.j1", topology.ResultsSubject("j1"));
        Assert.Equal("ee-test.dead.j1", topology.DeadSubject("j1"));
        Assert.Equal("ee-test.*.j1", topology.JobFilter("j1"));
        Assert.Equal("ee-test-p1", topology.ConsumerName("p1"));
        Assert.Equal("j1-4", NatsScoringTopology.ChunkMessageId("j1", 4));
    }

    [Fact]
    public void A_pool_is_the_model_digest_backend_and_precision_as_one_subject_token()
    {
        Assert.Equal("0123456789abcdef-onnx-int8", NatsScoringTopology.PoolKey("0123456789ABCDEF0123", "onnx", "int8"));
        Assert.DoesNotContain('.', NatsScoringTopology.PoolKey("ab", "torch", "fp32"));
    }

    [Theory]
    [InlineData("", 1, "file", 30, 5, 16, "Url")]
    [InlineData("nats://x", 0, "file", 30, 5, 16, "replicas")]
    [InlineData("nats://x", 1, "disk", 30, 5, 16, "storage")]
    [InlineData("nats://x", 1, "file", 0.5, 5, 16, "ack wait")]
    [InlineData("nats://x", 1, "file", 30, 0, 16, "max deliver")]
    [InlineData("nats://x", 1, "file", 30, 5, 0, "max pending")]
    public void A_setting_out_of_range_is_named(string url, int replicas, string storage, double ackWait, int maxDeliver, int maxPending, string named)
    {
        var options = new NatsScoringOptions { Url = url, Replicas = replicas, Storage = storage, AckWait = TimeSpan.FromSeconds(ackWait), MaxDeliver = maxDeliver, MaxPending = maxPending };
        var e = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Contains(named, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_prefix_that_would_break_a_subject_is_refused()
    {
        Assert.Throws<ArgumentException>(new NatsScoringOptions { Url = "nats://x", Prefix = "a.b" }.Validate);
        Assert.Throws<ArgumentException>(new NatsScoringOptions { Url = "nats://x", Prefix = "a*" }.Validate);
    }
}
