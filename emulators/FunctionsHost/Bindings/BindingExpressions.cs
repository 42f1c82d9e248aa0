using System.Text.RegularExpressions;

namespace Serverless.FunctionsHost.Bindings;

/// <summary>
/// The host's binding expressions: <c>%Setting%</c> is an app setting (<c>Section:Key</c> also finds <c>Section__Key</c>,
/// as configuration does), and <c>{headers.name}</c>, <c>{query.name}</c> or a route value come from the HTTP request.
/// </summary>
public sealed partial class BindingExpressions(FunctionsHostOptions options)
{
    /// <summary>An app setting: local.settings.json Values, then the host's environment.</summary>
    public string? Setting(string name)
    {
        foreach (var candidate in new[] { name, name.Replace(":", "__", StringComparison.Ordinal) })
        {
            if (options.Settings.TryGetValue(candidate, out var value) && value is not null)
            {
                return value;
            }

            if (Environment.GetEnvironmentVariable(candidate) is { } fromEnvironment)
            {
                return fromEnvironment;
            }
        }

        return null;
    }

    /// <summary>Resolves every expression in <paramref name="value"/>; a setting that is missing is an error naming it.</summary>
    public string? Resolve(string? value, HttpContext? http = null)
    {
        if (value is null)
        {
            return null;
        }

        var withSettings = SettingPattern().Replace(value, m => Setting(m.Groups[1].Value)
            ?? throw new BindingException($"The app setting {m.Groups[1].Value}, named in a binding, is missing."));
        return http is null ? withSettings : RequestPattern().Replace(withSettings, m => FromRequest(http, m.Groups[1].Value));
    }

    private static string FromRequest(HttpContext http, string expression)
    {
        var dot = expression.IndexOf('.');
        var (source, name) = dot < 0 ? ("", expression) : (expression[..dot], expression[(dot + 1)..]);
        return source.ToLowerInvariant() switch
        {
            "headers" => http.Request.Headers[name].ToString(),
            "query" => http.Request.Query[name].ToString(),
            _ => http.Request.RouteValues.TryGetValue(expression, out var route) ? route?.ToString() ?? "" : "",
        };
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingPattern();

    [GeneratedRegex(@"\{([A-Za-z0-9_.\-]+)\}")]
    private static partial Regex RequestPattern();
}

/// <summary>A binding the host cannot fill (a missing setting, a malformed connection string).</summary>
internal sealed class BindingException(string message) : Exception(message);
