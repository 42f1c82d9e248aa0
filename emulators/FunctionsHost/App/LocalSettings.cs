using System.Text.Json;

namespace Serverless.FunctionsHost.App;

/// <summary>
/// <c>local.settings.json</c> as Core Tools reads it: <c>Values</c> become app settings (environment variables of the
/// host and the worker; a variable already set wins), <c>Host.LocalHttpPort</c>, <c>Host.CORS</c> and
/// <c>Host.CORSCredentials</c> configure the host.
/// </summary>
public sealed record LocalSettings(IReadOnlyDictionary<string, string?> Values, int? LocalHttpPort, string? Cors, bool CorsCredentials)
{
    public const string FileName = "local.settings.json";

    public static LocalSettings Empty { get; } = new(new Dictionary<string, string?>(), null, null, false);

    public static LocalSettings Read(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{path} is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            if (root.TryGetProperty("Values", out var entries) && entries.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in entries.EnumerateObject())
                {
                    // As Core Tools: a variable that is set and not empty wins (docs/functions-host.md#settings).
                    values[entry.Name] = Environment.GetEnvironmentVariable(entry.Name) is { Length: > 0 } set ? set : Text(entry.Value);
                }
            }

            var host = root.TryGetProperty("Host", out var h) && h.ValueKind == JsonValueKind.Object ? h : default;
            int? port = host.ValueKind == JsonValueKind.Object && host.TryGetProperty("LocalHttpPort", out var p) && p.TryGetInt32(out var number) ? number : null;
            var cors = host.ValueKind == JsonValueKind.Object && host.TryGetProperty("CORS", out var c) ? Text(c) : null;
            var credentials = host.ValueKind == JsonValueKind.Object && host.TryGetProperty("CORSCredentials", out var cc)
                && (cc.ValueKind == JsonValueKind.True || (cc.ValueKind == JsonValueKind.String && bool.TryParse(cc.GetString(), out var b) && b));
            return new LocalSettings(values, port, cors, credentials);
        }
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        _ => value.GetRawText(),
    };
}
