using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Serverless.Tooling;

namespace Serverless.Tests.Infra;

/// <summary>
/// The Pulumi.AzureNative API as the <c>@pulumi/azure-native</c> npm package of the same version declares it. The npm
/// and .NET SDKs are generated from one provider schema, so resource, argument, invoke and enum names are the same
/// (camelCase there, PascalCase in C#). The Pulumi NuGet packages can't be restored everywhere; npm can.
/// </summary>
public sealed partial class AzureNativeSchema
{
    private readonly Dictionary<string, string> files;

    private AzureNativeSchema(Dictionary<string, string> files) => this.files = files;

    /// <summary>Fetches the package with <c>npm pack</c> once per version (kept in the temp folder) and reads its .d.ts files.</summary>
    public static async Task<AzureNativeSchema> LoadAsync(string version, IEnumerable<string> modules)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "serverless-azure-native", version));
        var tarball = Path.Combine(folder.FullName, $"pulumi-azure-native-{version}.tgz");
        if (!File.Exists(tarball))
        {
            // Packed aside and moved in whole, so that an interrupted download is never taken for the package.
            var download = folder.CreateSubdirectory(Guid.NewGuid().ToString("n"));
            await PackAsync(version, download.FullName);
            File.Move(Path.Combine(download.FullName, Path.GetFileName(tarball)), tarball, overwrite: true);
            download.Delete(recursive: true);
        }

        var wanted = modules.Select(m => $"package/{m}/").Append("package/types/input.d.ts").Concat(modules.Select(m => $"package/types/enums/{m}/")).ToList();
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync() is { } entry)
        {
            if (entry.DataStream is not null && entry.Name.EndsWith(".d.ts", StringComparison.Ordinal) && wanted.Any(w => entry.Name.StartsWith(w, StringComparison.Ordinal)))
            {
                using var reader = new StreamReader(entry.DataStream);
                files[entry.Name["package/".Length..]] = await reader.ReadToEndAsync();
            }
        }

        return new AzureNativeSchema(files);
    }

    /// <summary>The property names of an exported interface in a module's file, or null when there is no such file or interface.</summary>
    public IReadOnlySet<string>? Interface(string file, string name) =>
        files.TryGetValue(file, out var text) ? Members(text, name) : null;

    /// <summary>An interface of a module's namespace in types/input.d.ts (nested argument types).</summary>
    public IReadOnlySet<string>? InputType(string module, string name)
    {
        var text = files["types/input.d.ts"];
        var start = text.IndexOf($"\nexport declare namespace {module} {{", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var end = text.IndexOf("\nexport declare namespace ", start + 1, StringComparison.Ordinal);
        return Members(end < 0 ? text[start..] : text[start..end], name);
    }

    /// <summary>The members of an enum of a module, or null when the module has no such enum.</summary>
    public IReadOnlySet<string>? Enum(string module, string name)
    {
        if (!files.TryGetValue($"types/enums/{module}/index.d.ts", out var text))
        {
            return null;
        }

        var match = Regex.Match(text, $@"export declare const {name}: \{{(.*?)\}};", RegexOptions.Singleline);
        return match.Success ? Regex.Matches(match.Groups[1].Value, @"readonly (\w+):").Select(m => m.Groups[1].Value).ToHashSet() : null;
    }

    /// <summary>The REST API version a resource's file says it uses.</summary>
    public string? ApiVersion(string file) =>
        files.TryGetValue(file, out var text) && ApiVersionPattern().Match(text) is { Success: true } match ? match.Groups[1].Value : null;

    public bool HasFile(string file) => files.ContainsKey(file);

    private static HashSet<string>? Members(string text, string name)
    {
        var match = Regex.Match(text, $@"interface {name} \{{");
        if (!match.Success)
        {
            return null;
        }

        var body = Braced(text, match.Index + match.Length - 1);
        return Regex.Matches(body, @"^\s{4,8}(\w+)\??:", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet();
    }

    /// <summary>The text between the brace at <paramref name="open"/> and its match.</summary>
    public static string Braced(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            depth += text[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                return text[(open + 1)..i];
            }
        }

        throw new FormatException("Unbalanced braces.");
    }

    private static async Task PackAsync(string version, string folder) =>
        (await ChildProcess.RunAsync("npm", ["pack", $"@pulumi/azure-native@{version}", "--pack-destination", folder])).EnsureSuccess();

    [GeneratedRegex(@"Uses Azure REST API version ([0-9a-z-]+)\.")]
    private static partial Regex ApiVersionPattern();
}
