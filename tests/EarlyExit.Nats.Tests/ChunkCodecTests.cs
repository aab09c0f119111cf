using EarlyExit.Data.Scoring;
using FsCheck;
using FsCheck.Fluent;

namespace EarlyExit.Nats.Tests;

public sealed class ChunkCodecTests
{
    [Fact]
    public void An_answer_comes_back_with_the_very_same_numbers()
    {
        // The output must be byte-identical to a local run, so every double and float must survive the wire exactly.
        ScoreResult[] results =
        [
            new("a", "spam", 0.1 + 0.2, 3, 1.0 / 3.0, [0.1f, 0.9f]),
            new("b,\"quoted\"\n", "ham", double.Epsilon, 1, 5e-324, [float.Epsilon, 1 - float.Epsilon]),
            new("ünïcødé 🙂", "ham", 0.9999999999999999, 6, 1.0000000000000002, []),
        ];
        var answer = new ChunkAnswer("job1", 7, "host-1", results);
        ChunkAnswer back = ChunkCodec.Decode<ChunkAnswer>(ChunkCodec.Encode(answer));
        Assert.Equal(("job1", 7L, "host-1"), (back.Job, back.Index, back.Worker));
        Assert.Equal(results.Length, back.Results.Count);
        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal((results[i].Id, results[i].Label, results[i].Exit), (back.Results[i].Id, back.Results[i].Label, back.Results[i].Exit));
            Assert.Equal(BitConverter.DoubleToInt64Bits(results[i].Probability), BitConverter.DoubleToInt64Bits(back.Results[i].Probability));
            Assert.Equal(BitConverter.DoubleToInt64Bits(results[i].Compute), BitConverter.DoubleToInt64Bits(back.Results[i].Compute));
            Assert.Equal(results[i].Probabilities.Select(BitConverter.SingleToInt32Bits), back.Results[i].Probabilities.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public bool Any_finite_probability_and_compute_round_trip_bit_for_bit(NormalFloat probability, NormalFloat compute, float p0)
    {
        if (!float.IsFinite(p0)) return true;
        var result = new ScoreResult("x", "y", probability.Get, 2, compute.Get, [p0]);
        ScoreResult back = ChunkCodec.Decode<ChunkAnswer>(ChunkCodec.Encode(new ChunkAnswer("j", 0, "w", [result]))).Results[0];
        return BitConverter.DoubleToInt64Bits(back.Probability) == BitConverter.DoubleToInt64Bits(result.Probability)
            && BitConverter.DoubleToInt64Bits(back.Compute) == BitConverter.DoubleToInt64Bits(result.Compute)
            && BitConverter.SingleToInt32Bits(back.Probabilities[0]) == BitConverter.SingleToInt32Bits(p0);
    }

    [Fact]
    public void A_chunk_round_trips_with_its_settings_and_rows()
    {
        var chunk = new ScoreChunk("j", 3, 3000, new ChunkSettings("max-prob", 0.75, 4096, 64, true), [new ChunkRow("1", "hello"), new ChunkRow("2", "")]);
        ScoreChunk back = ChunkCodec.Decode<ScoreChunk>(ChunkCodec.Encode(chunk));
        Assert.Equal(chunk.Settings, back.Settings);
        Assert.Equal(chunk.Rows, back.Rows);
        Assert.Equal((3L, 3000L), (back.Index, back.FirstRow));
    }

    [Fact]
    public void Bytes_that_are_not_a_message_are_a_format_error_naming_the_type()
    {
        var e = Assert.Throws<ChunkFormatException>(() => ChunkCodec.Decode<ScoreChunk>("not gzip"u8));
        Assert.Contains("ScoreChunk", e.Message, StringComparison.Ordinal);
        byte[] json = ChunkCodec.Encode(new[] { 1, 2, 3 });
        Assert.Throws<ChunkFormatException>(() => ChunkCodec.Decode<ScoreChunk>(json));
    }
}
