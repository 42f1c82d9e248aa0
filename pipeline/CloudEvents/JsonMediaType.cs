namespace Serverless.Pipeline.CloudEvents;

/// <summary>Whether a media type names JSON: <c>application/json</c>, <c>text/json</c> or a <c>+json</c> suffix, parameters aside.</summary>
public static class JsonMediaType
{
    public static bool Matches(string? contentType)
    {
        var mediaType = (contentType ?? "").Split(';')[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }
}
