using System.Text.Json;

namespace Serverless.Functions.Settings;

/// <summary>
/// Reads <c>local.settings.json</c> the way Functions Core Tools does: every entry of <c>Values</c>
/// becomes a setting (<c>__</c> nests, as in app settings), and <c>Host</c> keeps its own section.
/// In Azure the same names arrive as app settings (environment variables), which take precedence.
/// </summary>
public static class LocalSettingsFile
{
    public const string FileName = "local.settings.json";

    public static Dictionary<string, string?> Read(string path)
    {
        using var document = ReadDocument(path);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var root = document.RootElement;

        if (root.TryGetProperty("Values", out var values) && values.ValueKind == JsonValueKind.Object)
        {
            foreach (var value in values.EnumerateObject())
            {
                settings[value.Name.Replace("__", ConfigurationPath.KeyDelimiter)] = AsString(value.Value);
            }
        }

        if (root.TryGetProperty("Host", out var host) && host.ValueKind == JsonValueKind.Object)
        {
            foreach (var value in host.EnumerateObject())
            {
                settings[ConfigurationPath.Combine("Host", value.Name)] = AsString(value.Value);
            }
        }

        return settings;
    }

    private static JsonDocument ReadDocument(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{path} is not valid JSON: {ex.Message}", ex);
        }
    }

    private static string? AsString(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        _ => value.GetRawText(),
    };
}
