namespace Serverless.Local.Topology;

/// <summary>
/// The command lines of the local parts that run as processes of their own: Azurite's options, and the CLI's commands
/// for the stand-ins, the web client and the demo feed. Ports are objects so that the AppHost can pass its endpoints'
/// references where the stacks pass numbers.
/// </summary>
public static class PartArguments
{
    /// <param name="dataFolder">Where Azurite keeps its data; null keeps it in memory only.</param>
    public static object[] Azurite(object blobPort, object queuePort, object tablePort, string? dataFolder) =>
    [
        "--blobHost", "127.0.0.1", "--blobPort", blobPort,
        "--queueHost", "127.0.0.1", "--queuePort", queuePort,
        "--tableHost", "127.0.0.1", "--tablePort", tablePort,
        .. dataFolder is null ? new object[] { "--inMemoryPersistence" } : ["--location", dataFolder],
        "--skipApiVersionCheck", "--disableProductStyleUrl", "--disableTelemetry", "--silent",
    ];

    /// <param name="config">A JSON file naming the hubs, their partitions and consumer groups.</param>
    public static object[] EventHubs(object port, string dataFolder, string config) =>
        ["eventhubs", "--port", port, "--data", dataFolder, "--config", config];

    public static object[] SignalR(object port, string tier = "Free", int units = 1) =>
        ["signalr", "--port", port, "--tier", tier, "--units", $"{units}"];

    /// <param name="scriptRoot">The function app's build output.</param>
    public static object[] FunctionsHost(object port, string scriptRoot) =>
        ["host", "--script-root", scriptRoot, "--port", port];

    /// <param name="api">The function app's API base address, as the page's <c>config.json</c> names it.</param>
    public static object[] WebClient(object port, object api) =>
        ["web", "--port", port, "--api", api];

    public static object[] Demo(double rate) =>
        ["demo", "--rate", $"{rate:0.###}"];
}
