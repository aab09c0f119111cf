namespace EarlyExit.Data.Datasets.RData;

/// <summary>
/// The R values that <see cref="RSerializationReader"/> understands: enough for data frames
/// (tibbles) of character, factor, integer, logical and double columns and their attributes.
/// </summary>
internal abstract record RValue
{
    /// <summary>Attributes (names, class, levels, row.names…), by name; empty when there are none.</summary>
    internal IReadOnlyDictionary<string, RValue> Attributes { get; init; } = new Dictionary<string, RValue>();

    /// <summary>The attribute <paramref name="name"/>, or <see langword="null"/>.</summary>
    internal RValue? Attribute(string name) => Attributes.GetValueOrDefault(name);

    /// <summary>R's <c>NULL</c>.</summary>
    internal sealed record Null : RValue;

    /// <summary>A symbol (a name, as in attribute tags).</summary>
    internal sealed record Symbol(string Name) : RValue;

    /// <summary>A character vector; <see langword="null"/> items are <c>NA</c>.</summary>
    internal sealed record Strings(string?[] Values) : RValue;

    /// <summary>An integer vector (also factors, whose codes are 1-based into the levels); <see cref="int.MinValue"/> is <c>NA</c>.</summary>
    internal sealed record Integers(int[] Values) : RValue;

    /// <summary>A logical vector: 0, 1, or <see cref="int.MinValue"/> for <c>NA</c>.</summary>
    internal sealed record Logicals(int[] Values) : RValue;

    /// <summary>A double vector.</summary>
    internal sealed record Doubles(double[] Values) : RValue;

    /// <summary>A generic vector (R's <c>list</c>; a data frame is one, a column per item).</summary>
    internal sealed record List(RValue[] Items) : RValue;

    /// <summary>A pairlist, as a sequence of tagged values.</summary>
    internal sealed record PairList(IReadOnlyList<KeyValuePair<string?, RValue>> Items) : RValue;
}
