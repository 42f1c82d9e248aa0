using System.Globalization;
using Serverless.Contracts.Settings;

namespace Serverless.Pipeline.Settings;

/// <summary>Reads typed values of app settings by their names (<see cref="SettingNames"/>); a malformed value names its setting.</summary>
internal static class SettingParser
{
    public static string? Text(IConfiguration configuration, string setting) => configuration[SettingNames.ConfigurationKey(setting)];

    public static int Int(IConfiguration configuration, string setting, int fallback) =>
        Parse(configuration, setting, fallback, text => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null, "an integer");

    /// <summary>A duration as TimeSpan text (<c>d.hh:mm:ss</c>).</summary>
    public static TimeSpan Duration(IConfiguration configuration, string setting, TimeSpan fallback) =>
        Parse(configuration, setting, fallback, text => TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : null, "a duration (d.hh:mm:ss)");

    /// <summary>A comma-separated list; empty entries are dropped.</summary>
    public static IReadOnlyList<string> List(IConfiguration configuration, string setting, IReadOnlyList<string> fallback) =>
        Text(configuration, setting) is { } text
            ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : fallback;

    private static T Parse<T>(IConfiguration configuration, string setting, T fallback, Func<string, T?> parse, string expected) where T : struct
    {
        var text = Text(configuration, setting);
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return parse(text.Trim()) ?? throw new InvalidOperationException($"Setting {setting} is '{text}', which is not {expected}.");
    }
}
