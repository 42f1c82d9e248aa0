namespace Serverless.Contracts.Local;

/// <summary>The loopback ports the local pipeline takes by default; each is the port its Azure counterpart's local tools use.</summary>
public static class LocalPorts
{
    /// <summary>Azurite's Blob port; Queue and Table take the next two (its own defaults, 10000–10002).</summary>
    public const int Storage = 10000;

    /// <summary>AMQP without TLS, as Microsoft's Event Hubs emulator listens.</summary>
    public const int EventHubs = 5672;
    public const int SignalR = 8888;

    /// <summary>Core Tools' default for <c>func start</c>.</summary>
    public const int FunctionsHost = 7071;
    public const int Web = 8080;
}
