namespace Serverless.Infra.Model;

/// <summary>The clone the stack deploys from: the folder holding <c>Serverless.sln</c>.</summary>
public sealed record RepoFolders(string Root)
{
    public string Functions => Path.Combine(Root, "functions");
    public string FunctionsProject => Path.Combine(Functions, "Serverless.Functions.csproj");
    public string Web => Path.Combine(Root, "web");
    public string SettingsSample => Path.Combine(Root, "local.settings.sample.json");
    public string SignalRBrowserClient => Path.Combine(Root, "node_modules", "@microsoft", "signalr", "dist", "browser", "signalr.min.js");

    /// <summary>Where <c>pulumi up</c> builds the package (git-ignored).</summary>
    public string PackageOutput => Path.Combine(Root, "infra", "obj", "package");

    /// <summary>The clone around <paramref name="start"/> (default: the working directory, which is infra/ under Pulumi).</summary>
    public static RepoFolders Find(string? start = null)
    {
        for (var dir = new DirectoryInfo(start ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
            {
                return new RepoFolders(dir.FullName);
            }
        }

        throw new InvalidOperationException("Run this inside a clone of the repository (no Serverless.sln above the working directory).");
    }
}
