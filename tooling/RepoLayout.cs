using System.Reflection;

namespace Serverless.Tooling;

/// <summary>Where things are in a clone of the repository: the folder holding <c>Serverless.sln</c>.</summary>
public sealed record RepoLayout(string Root)
{
    public const string SolutionFile = "Serverless.sln";

    public string Functions => Path.Combine(Root, "functions");
    public string FunctionsProject => Path.Combine(Functions, "Serverless.Functions.csproj");
    public string Web => Path.Combine(Root, "web");
    public string NodeModules => Path.Combine(Root, "node_modules");
    public string SettingsSample => Path.Combine(Root, "local.settings.sample.json");

    /// <summary>A developer's own settings, as Core Tools reads them; git-ignored.</summary>
    public string UserSettings => Path.Combine(Functions, "local.settings.json");

    /// <summary>Where <c>up</c> keeps its data unless told otherwise; git-ignored.</summary>
    public string DefaultDataFolder => Path.Combine(Root, ".local");

    public string SignalRBrowserClient => Path.Combine(NodeModules, "@microsoft", "signalr", "dist", "browser", "signalr.min.js");

    /// <summary>MSAL.js, with which the deployed page signs in with Microsoft Entra ID (docs/identity.md).</summary>
    public string MsalBrowserClient => Path.Combine(NodeModules, "@azure", "msal-browser", "lib", "msal-browser.min.js");

    /// <summary>Where <c>pulumi up</c> builds the package; git-ignored.</summary>
    public string PackageOutput => Path.Combine(Root, "infra", "obj", "package");

    /// <summary>The function app's build output in this build's configuration: the folder the host runs as its script root.</summary>
    public string FunctionAppFolder => BuildOutput("functions");

    /// <summary>The command-line tool's assembly, in this build's configuration (<c>dotnet serverless.dll …</c>).</summary>
    public string CliAssembly => Path.Combine(BuildOutput("cli"), "serverless.dll");

    public string NodeBin(string tool) => Path.Combine(NodeModules, ".bin", tool);

    /// <summary>A project's build output folder, in the configuration the repository's tools were built in.</summary>
    public string BuildOutput(string projectFolder) => Path.Combine(Root, projectFolder, "bin", BuildConfiguration, "net10.0");

    /// <summary>Debug or Release: what this assembly was built as, and with it every project of the same build.</summary>
    public static string BuildConfiguration { get; } =
        typeof(RepoLayout).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>
    /// The clone at <paramref name="root"/> if given; else the one around the working directory, else the one around
    /// this assembly (a tool run from its build output).
    /// </summary>
    public static RepoLayout Find(string? root = null)
    {
        if (root is not null)
        {
            return File.Exists(Path.Combine(root, SolutionFile))
                ? new RepoLayout(Path.GetFullPath(root))
                : throw new InvalidOperationException($"{root} is not a clone of the repository (no {SolutionFile}).");
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                {
                    return new RepoLayout(dir.FullName);
                }
            }
        }

        throw new InvalidOperationException($"Run this inside a clone of the repository (no {SolutionFile} above the working directory).");
    }
}
