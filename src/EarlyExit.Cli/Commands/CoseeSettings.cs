using System.Globalization;
using System.Text.Json.Nodes;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using EarlyExit.Torch.Training;

namespace EarlyExit.Cli.Commands;

/// <summary>
/// <c>train --objective cosee</c>'s options (docs/algorithms.md §3.4): each null takes
/// <see cref="CoseeOptions"/>' default, the paper's.
/// </summary>
/// <param name="Signal"><c>--cosee-signal</c>: normalized-energy, entropy or max-prob.</param>
/// <param name="Alpha"><c>--cosee-alpha</c>: α, the online signal calibration's weight.</param>
/// <param name="BetaZero"><c>--cosee-beta0</c>: β₀, the final sharpness of the sample weights.</param>
/// <param name="Thresholds"><c>--cosee-thresholds</c>: K, thresholds simulated per step.</param>
/// <param name="Margin"><c>--cosee-margin</c>: ε, the calibration hinge's margin.</param>
public sealed record CoseeSettings(string? Signal = null, double? Alpha = null, double? BetaZero = null, int? Thresholds = null, double? Margin = null)
{
    /// <summary>The signals COSEE calibrates, by their command-line names.</summary>
    public static IReadOnlyList<string> SignalNames { get; } =
        [.. new[] { ExitSignal.NormalizedEnergy, ExitSignal.Entropy, ExitSignal.MaxProb }.Select(ThresholdPolicy.NameOf)];

    /// <summary>True when any option was given.</summary>
    public bool Any => Signal is not null || Alpha is not null || BetaZero is not null || Thresholds is not null || Margin is not null;

    /// <summary>The options, checked; a bad value is a one-line error naming its option.</summary>
    /// <exception cref="CliException">An unknown signal, or a value out of range.</exception>
    public CoseeOptions ToOptions()
    {
        var defaults = new CoseeOptions();
        ExitSignal signal = defaults.Signal;
        if (Signal is { } name)
        {
            int index = SignalNames.ToList().FindIndex(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
            if (index < 0) throw new CliException($"--cosee-signal must be one of {string.Join(", ", SignalNames)}; got '{name}'");
            signal = new[] { ExitSignal.NormalizedEnergy, ExitSignal.Entropy, ExitSignal.MaxProb }[index];
        }
        var options = defaults with
        {
            Signal = signal,
            CalibrationWeight = Alpha ?? defaults.CalibrationWeight,
            BetaZero = BetaZero ?? defaults.BetaZero,
            ThresholdCount = Thresholds ?? defaults.ThresholdCount,
            Margin = Margin ?? defaults.Margin,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            string option = e.ParamName switch
            {
                nameof(CoseeOptions.CalibrationWeight) => "--cosee-alpha",
                nameof(CoseeOptions.BetaZero) => "--cosee-beta0",
                nameof(CoseeOptions.ThresholdCount) => "--cosee-thresholds",
                _ => "--cosee-margin",
            };
            string rule = e.ParamName == nameof(CoseeOptions.ThresholdCount) ? "at least 1" : "a finite number ≥ 0";
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"{option} must be {rule}; got {e.ActualValue}"), CliExitStatus.UserError, e);
        }
        return options;
    }

    /// <summary>The options as training.json records them.</summary>
    public static JsonObject ToJson(CoseeOptions options) => new()
    {
        ["signal"] = ThresholdPolicy.NameOf(options.Signal),
        ["alpha"] = options.CalibrationWeight,
        ["beta0"] = options.BetaZero,
        ["thresholds"] = options.ThresholdCount,
        ["margin"] = options.Margin,
    };
}
