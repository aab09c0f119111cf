using System.Buffers.Binary;
using System.Text;

namespace EarlyExit.Data.Datasets.RData;

/// <summary>
/// A reader for R's serialization format ("R Internals", §1.8), XDR (big-endian binary) version 2
/// or 3, limited to the types data frames are made of: NULL, symbols, pairlists (for attributes),
/// character, integer, logical and double vectors, and lists. Anything else is an error that
/// names the type, so a changed file fails loudly instead of being misread.
/// </summary>
internal sealed class RSerializationReader
{
    // SEXP types (R's Rinternals.h) and the serialization's special codes (serialize.c).
    private const int SymSxp = 1, ListSxp = 2, CharSxp = 9, LglSxp = 10, IntSxp = 13, RealSxp = 14, StrSxp = 16, VecSxp = 19;
    private const int RefSxp = 255, NilValueSxp = 254, GlobalEnvSxp = 253, EmptyEnvSxp = 242, BaseEnvSxp = 241;

    // Flag bits of an item header: type in the low byte, then object, attribute and tag bits,
    // then (for CHARSXP) the encoding "levels" from bit 12.
    private const int HasAttributesBit = 1 << 9, HasTagBit = 1 << 10;
    private const int Latin1Mask = 1 << 2, BytesMask = 1 << 1;

    private static readonly Encoding Latin1 = Encoding.Latin1;
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _data;
    private readonly string _source;
    private readonly List<RValue> _references = [];
    private int _position;

    private RSerializationReader(byte[] data, string source)
    {
        _data = data;
        _source = source;
    }

    /// <summary>Reads one serialized object: the "X\n" header, then the value.</summary>
    /// <param name="data">The serialized bytes (decompressed).</param>
    /// <param name="source">What the bytes are, for error messages (e.g. "Rdata.rdb entry training_data").</param>
    /// <exception cref="InvalidDataException">The format is not XDR v2/v3, or uses a type this reader does not know.</exception>
    internal static RValue Read(byte[] data, string source)
    {
        var reader = new RSerializationReader(data, source);
        reader.ReadHeader();
        return reader.ReadItem();
    }

    private void ReadHeader()
    {
        if (_data.Length < 2 || _data[0] != (byte)'X' || _data[1] != (byte)'\n')
        {
            throw Invalid("does not start with \"X\\n\" (only R's XDR serialization is supported)");
        }

        _position = 2;
        var version = ReadInt();
        ReadInt(); // R version that wrote it
        ReadInt(); // oldest R version that can read it
        if (version == 3)
        {
            var encodingLength = ReadInt();
            _position += encodingLength; // native encoding name, e.g. "UTF-8"
        }
        else if (version != 2)
        {
            throw Invalid($"is serialization version {version}; only 2 and 3 are supported");
        }
    }

    private RValue ReadItem()
    {
        var flags = ReadInt();
        var type = flags & 0xFF;
        switch (type)
        {
            case NilValueSxp:
                return new RValue.Null();
            case RefSxp:
                var index = flags >> 8;
                if (index == 0)
                {
                    index = ReadInt();
                }

                return index >= 1 && index <= _references.Count
                    ? _references[index - 1]
                    : throw Invalid($"refers to object {index}, but only {_references.Count} were read");
            case GlobalEnvSxp or EmptyEnvSxp or BaseEnvSxp:
                throw Invalid($"holds an environment (type {type}), which data frames do not");
            case SymSxp:
                var name = ReadItem() is RValue.Strings { Values: [{ } symbol] } ? symbol : throw Invalid("has a symbol without a name");
                var value = new RValue.Symbol(name);
                _references.Add(value);
                return value;
            case ListSxp:
                return ReadPairList(flags);
            case CharSxp:
                return new RValue.Strings([ReadCharacters(flags)]);
        }

        RValue result = type switch
        {
            StrSxp => new RValue.Strings(ReadStrings()),
            IntSxp => new RValue.Integers(ReadInts(ReadLength())),
            LglSxp => new RValue.Logicals(ReadInts(ReadLength())),
            RealSxp => new RValue.Doubles(ReadDoubles(ReadLength())),
            VecSxp => new RValue.List(ReadList()),
            _ => throw Invalid($"holds R type {type} at byte {_position - 4}, which this reader does not support (see R Internals, SEXPTYPE)"),
        };
        return (flags & HasAttributesBit) != 0 ? result with { Attributes = ReadAttributes() } : result;
    }

    // A pairlist node: [attributes] [tag] value, then the rest of the list (another node or NULL).
    private RValue.PairList ReadPairList(int flags)
    {
        var items = new List<KeyValuePair<string?, RValue>>();
        while (true)
        {
            if ((flags & HasAttributesBit) != 0)
            {
                ReadItem(); // attributes of a pairlist node: not used by data frames
            }

            string? tag = null;
            if ((flags & HasTagBit) != 0)
            {
                tag = ReadItem() is RValue.Symbol symbol ? symbol.Name : throw Invalid("has a pairlist tag that is not a symbol");
            }

            items.Add(new(tag, ReadItem()));
            flags = ReadInt();
            if ((flags & 0xFF) == NilValueSxp)
            {
                return new RValue.PairList(items);
            }

            if ((flags & 0xFF) != ListSxp)
            {
                throw Invalid($"ends a pairlist with type {flags & 0xFF}");
            }
        }
    }

    private Dictionary<string, RValue> ReadAttributes()
    {
        var attributes = ReadItem() as RValue.PairList ?? throw Invalid("has attributes that are not a pairlist");
        return attributes.Items.ToDictionary(a => a.Key ?? throw Invalid("has an attribute without a name"), a => a.Value);
    }

    private string?[] ReadStrings()
    {
        var values = new string?[ReadLength()];
        for (var i = 0; i < values.Length; i++)
        {
            var flags = ReadInt();
            if ((flags & 0xFF) != CharSxp)
            {
                throw Invalid($"has a character vector element of type {flags & 0xFF}");
            }

            values[i] = ReadCharacters(flags);
        }

        return values;
    }

    // A CHARSXP: length (−1 for NA), then the bytes in the encoding its flags say.
    private string? ReadCharacters(int flags)
    {
        var length = ReadInt();
        if (length == -1)
        {
            return null;
        }

        var bytes = Take(length);
        var levels = flags >> 12;
        if ((levels & BytesMask) != 0)
        {
            throw Invalid("has a string marked as raw bytes, which has no text encoding");
        }

        try
        {
            return ((levels & Latin1Mask) != 0 ? Latin1 : Utf8).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{_source} has a string that is not valid UTF-8 at byte {_position - length}", e);
        }
    }

    private RValue[] ReadList()
    {
        var items = new RValue[ReadLength()];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = ReadItem();
        }

        return items;
    }

    private int[] ReadInts(int count)
    {
        var bytes = Take(checked(count * 4));
        var values = new int[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.Slice(i * 4));
        }

        return values;
    }

    private double[] ReadDoubles(int count)
    {
        var bytes = Take(checked(count * 8));
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadDoubleBigEndian(bytes.Slice(i * 8));
        }

        return values;
    }

    // Vector lengths: an int, or −1 followed by two ints for a "long vector" (2^31 or more).
    private int ReadLength()
    {
        var length = ReadInt();
        return length >= 0 ? length : throw Invalid($"has a vector of length {length} (long vectors are not supported)");
    }

    private int ReadInt() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || _position > _data.Length - count)
        {
            throw Invalid($"ends early: {count} bytes needed at byte {_position} of {_data.Length}");
        }

        var span = _data.AsSpan(_position, count);
        _position += count;
        return span;
    }

    private InvalidDataException Invalid(string problem) => new($"{_source} {problem}");
}
