using Serverless.Contracts.Settings;

namespace Serverless.Local.Topology;

/// <summary>
/// The connection strings of the local parts, built from their ports. The ports are text so that one shape serves every
/// starter: the stacks give numbers, the AppHost gives its endpoints' references (<c>apphost/Parts/ConnectionExpressions.cs</c>).
/// </summary>
public static class LocalConnections
{
    // Azurite's well-known development account (documented by Azurite; not a secret).
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static string Storage(string blobPort, string queuePort, string tablePort) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";

    public static string EventHubs(string port) => SettingDefaults.LocalEventHubConnectionAt(port);

    public static string SignalR(string port) => SettingDefaults.LocalSignalRConnectionAt(port);

    /// <summary>The function app's API under the host stand-in, as the web page's <c>config.json</c> names it.</summary>
    public static string Api(string hostPort) => $"http://127.0.0.1:{hostPort}/api";
}
