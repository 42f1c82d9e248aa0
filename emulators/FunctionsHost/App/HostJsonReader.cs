using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.FunctionsHost.App;

/// <summary>
/// Reads host.json by dotted paths, case-insensitively as the Functions host's configuration does, and keeps every
/// path it was asked for: what the file holds beyond them is <see cref="Unread"/>, the settings this host does not use.
/// </summary>
internal sealed class HostJsonReader(JsonObject root, string file)
{
    private readonly HashSet<string> asked = new(StringComparer.OrdinalIgnoreCase);

    public JsonNode? Node(string path)
    {
        asked.Add(path);
        JsonNode? node = root;
        foreach (var name in path.Split('.'))
        {
            node = node is JsonObject parent ? parent.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value : null;
        }

        return node;
    }

    public string? String(string path) => Node(path) switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value => value.ToJsonString(),
        _ => throw new ScriptRootException($"{file}: {path} must be a value, not an object or array."),
    };

    public int Int(string path, int fallback) => String(path) is not { } text
        ? fallback
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ScriptRootException($"{file}: {path} '{text}' is not a positive whole number.");

    public TimeSpan Duration(string path, TimeSpan fallback) => String(path) is not { } text
        ? fallback
        : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero
            ? value
            : throw new ScriptRootException($"{file}: {path} '{text}' is not a positive TimeSpan (hh:mm:ss).");

    /// <summary>Every value in the file under no path that was read, by its dotted path (version and the like included).</summary>
    public IReadOnlyList<string> Unread()
    {
        var unread = new List<string>();
        void Walk(JsonNode? node, string path)
        {
            if (path.Length > 0 && asked.Any(a => path.Equals(a, StringComparison.OrdinalIgnoreCase) || path.StartsWith(a + ".", StringComparison.OrdinalIgnoreCase)))
            {
                return;
            }

            if (node is JsonObject parent && parent.Count > 0)
            {
                foreach (var (name, child) in parent)
                {
                    Walk(child, path.Length == 0 ? name : $"{path}.{name}");
                }
            }
            else if (path.Length > 0)
            {
                unread.Add(path);
            }
        }

        Walk(root, "");
        return unread;
    }
}
