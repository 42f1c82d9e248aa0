using System.Text.Json;
using Serverless.Tooling;

namespace Serverless.Infra.Model;

/// <summary>One file of the static web site: where it comes from, its path in the site and its content type.</summary>
public sealed record WebSiteFile(string SitePath, string SourcePath, string ContentType);

/// <summary>
/// The web client as the storage account's static website serves it: the files of <c>web/</c>, the SignalR browser
/// client and MSAL.js from npm at <c>lib/</c>, and <c>config.json</c> naming the function app's API and how people sign
/// in (written by the stack).
/// </summary>
public static class WebSiteFiles
{
    public const string IndexDocument = "index.html";
    public const string ConfigFile = "config.json";
    public const string SignalRScript = "lib/signalr.min.js";
    public const string MsalScript = "lib/msal-browser.min.js";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".map"] = "application/json",
    };

    public static IReadOnlyList<WebSiteFile> Collect(RepoLayout repo)
    {
        var files = Directory.EnumerateFiles(repo.Web, "*", SearchOption.AllDirectories)
            .Select(path => new WebSiteFile(Path.GetRelativePath(repo.Web, path).Replace('\\', '/'), path, ContentType(path)))
            .Where(file => file.SitePath != ConfigFile)
            .Concat(Libraries(repo))
            .OrderBy(file => file.SitePath, StringComparer.Ordinal)
            .ToList();
        return files;
    }

    /// <summary>The browser libraries the page loads from <c>lib/</c>, from the npm packages <c>npm ci</c> installs.</summary>
    public static IReadOnlyList<WebSiteFile> Libraries(RepoLayout repo)
    {
        WebSiteFile[] libraries =
        [
            new(SignalRScript, repo.SignalRBrowserClient, ContentType(repo.SignalRBrowserClient)),
            new(MsalScript, repo.MsalBrowserClient, ContentType(repo.MsalBrowserClient)),
        ];
        if (libraries.FirstOrDefault(library => !File.Exists(library.SourcePath)) is { } missing)
        {
            throw new InvalidOperationException($"{missing.SitePath} is missing ({missing.SourcePath}): run 'npm ci' in the repository root.");
        }

        return libraries;
    }

    public static string ContentType(string path) =>
        ContentTypes.TryGetValue(Path.GetExtension(path), out var type)
            ? type
            : throw new InvalidOperationException($"{path}: no content type known for '{Path.GetExtension(path)}'; add it to WebSiteFiles.");

    /// <summary>What the page reads first: <c>{"api": "https://&lt;app&gt;.azurewebsites.net/api"}</c>.</summary>
    public static string ConfigJson(string apiBase, PageSignIn? signIn = null) =>
        JsonSerializer.Serialize(new { api = apiBase, signIn }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });

    /// <summary>The function app's API base from its host name.</summary>
    public static string ApiBase(string functionAppHost) => $"https://{functionAppHost}/api";

    /// <summary>The static website's origin (no trailing slash), as CORS compares it, from its endpoint URL.</summary>
    public static string Origin(string webEndpoint) => webEndpoint.TrimEnd('/');
}
