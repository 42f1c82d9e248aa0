namespace Serverless.Cli.Local;

/// <summary>Where things are in a clone of the repository: the folder holding <c>Serverless.sln</c>.</summary>
public sealed record RepoLayout(string Root)
{
    public string WebFolder => Path.Combine(Root, "web");
    public string NodeModules => Path.Combine(Root, "node_modules");
    public string SettingsSample => Path.Combine(Root, "local.settings.sample.json");
    public string UserSettings => Path.Combine(Root, "functions", "local.settings.json");
    public string DefaultDataFolder => Path.Combine(Root, ".local");

    public string NodeBin(string tool) => Path.Combine(NodeModules, ".bin", tool);

    /// <summary>
    /// The function app's build output, in the configuration this tool was built in (building the tool builds the app):
    /// the folder the host runs as its script root.
    /// </summary>
    public string FunctionAppFolder => Path.Combine(Root, "functions", "bin", BuildConfiguration, "net10.0");

    private static string BuildConfiguration =>
        typeof(RepoLayout).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Debug";

    /// <summary>The clone around the working directory, else around this tool's own build output.</summary>
    public static RepoLayout Find(string? root = null)
    {
        if (root is not null)
        {
            return File.Exists(Path.Combine(root, "Serverless.sln"))
                ? new RepoLayout(Path.GetFullPath(root))
                : throw new InvalidOperationException($"{root} is not a clone of the repository (no Serverless.sln).");
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
                {
                    return new RepoLayout(dir.FullName);
                }
            }
        }

        throw new InvalidOperationException("Run this inside a clone of the repository (no Serverless.sln above the working directory), or pass --root.");
    }
}
