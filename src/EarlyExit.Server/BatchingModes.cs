using System.Collections.Immutable;
using System.ComponentModel;
using System.Globalization;

namespace EarlyExit.Server;

/// <summary>
/// The batching modes by name — <c>depth-pooled</c>, <c>static</c>, <c>single</c> — in one table that
/// <c>earlyexit serve --batching</c>, the configuration binder (<see cref="Converter"/>),
/// <c>GET /v1/model</c> and every error message read, so they cannot disagree.
/// </summary>
public static class BatchingModes
{
    private static readonly ImmutableArray<(string Name, BatchingMode Mode)> Table =
    [
        ("depth-pooled", BatchingMode.DepthPooled),
        ("static", BatchingMode.Static),
        ("single", BatchingMode.Single),
    ];

    /// <summary>The valid names, the default first: depth-pooled, static, single.</summary>
    public static ImmutableArray<string> Names { get; } = [.. Table.Select(e => e.Name)];

    /// <summary>The mode named <paramref name="name"/>, case-insensitive; the enum's own names (<c>DepthPooled</c>) are accepted too.</summary>
    /// <param name="name">A name from <see cref="Names"/>.</param>
    /// <exception cref="ArgumentException">No mode has that name; the message lists the valid ones.</exception>
    public static BatchingMode Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string trimmed = name.Trim();
        foreach (var (entry, mode) in Table)
        {
            if (string.Equals(entry, trimmed, StringComparison.OrdinalIgnoreCase) || string.Equals(mode.ToString(), trimmed, StringComparison.OrdinalIgnoreCase))
                return mode;
        }
        throw new ArgumentException($"unknown batching mode '{name}'; valid modes: {string.Join(", ", Names)}", nameof(name));
    }

    /// <summary>The name <see cref="Parse"/> accepts for <paramref name="mode"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not defined.</exception>
    public static string NameOf(BatchingMode mode)
    {
        foreach (var (name, entry) in Table)
        {
            if (entry == mode) return name;
        }
        throw new ArgumentOutOfRangeException(nameof(mode), mode, $"batching mode must be one of {string.Join(", ", Names)}; got {mode}");
    }

    /// <summary>Lets configuration say <c>EarlyExit__Batching=depth-pooled</c>: converts names through <see cref="Parse"/>.</summary>
    public sealed class Converter : EnumConverter
    {
        /// <summary>Creates the converter.</summary>
        public Converter()
            : base(typeof(BatchingMode))
        {
        }

        /// <inheritdoc/>
        public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
            value is string name ? Parse(name) : base.ConvertFrom(context, culture, value);
    }
}
