using System.Globalization;

namespace Serverless.Functions.Settings;

/// <summary>Reads typed values from app settings; a malformed value names its setting.</summary>
public static class SettingParser
{
    public static int Int(IConfigurationSection section, string key, int fallback) =>
        Parse(section, key, fallback, text => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null, "an integer");

    public static bool Bool(IConfigurationSection section, string key, bool fallback) =>
        Parse(section, key, fallback, text => bool.TryParse(text, out var value) ? value : null, "true or false");

    public static TimeSpan Duration(IConfigurationSection section, string key, TimeSpan fallback) =>
        Parse(section, key, fallback, text => TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : null, "a duration such as 00:10:00");

    /// <summary>A comma-separated list; empty entries are dropped.</summary>
    public static IReadOnlyList<string> List(IConfigurationSection section, string key, IReadOnlyList<string> fallback)
    {
        var text = section[key];
        return text is null
            ? fallback
            : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static T Parse<T>(IConfigurationSection section, string key, T fallback, Func<string, T?> parse, string expected) where T : struct
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return parse(text.Trim()) ?? throw new InvalidOperationException(
            $"Setting {section.Path.Replace(":", "__")}__{key} is '{text}', which is not {expected}.");
    }
}
