using Serverless.FunctionsHost.App;

namespace Serverless.FunctionsHost;

/// <summary>How the host runs: the app's output folder, the HTTP port, the app settings and CORS (from local.settings.json).</summary>
public sealed record FunctionsHostOptions(string ScriptRoot, int Port, IReadOnlyDictionary<string, string?> Settings, string? Cors = null, bool CorsCredentials = false)
{
    public const int DefaultPort = 7071;

    /// <summary>How long a started worker has to connect to the host's gRPC endpoint.</summary>
    public TimeSpan WorkerStartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The options Core Tools would take from a script root: its local.settings.json, if there is one, under the
    /// process's environment variables. As with Core Tools, a variable that is set and not empty wins over the file's value, and app
    /// settings may come from the environment alone, as they do in Azure (docs/functions-host.md#settings).
    /// </summary>
    public static FunctionsHostOptions FromScriptRoot(string scriptRoot, int? port = null)
    {
        var file = Path.Combine(scriptRoot, LocalSettings.FileName);
        var settings = File.Exists(file) ? LocalSettings.Read(file) : LocalSettings.Empty;
        var values = new Dictionary<string, string?>(settings.Values, StringComparer.OrdinalIgnoreCase);
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (variable.Value is string { Length: > 0 } value)
            {
                values[(string)variable.Key] = value;
            }
        }

        return new FunctionsHostOptions(scriptRoot, port ?? settings.LocalHttpPort ?? DefaultPort, values, settings.Cors, settings.CorsCredentials);
    }
}
