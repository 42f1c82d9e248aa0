namespace Microsoft.Azure.Functions.Worker;

/// <summary>What a SignalR client needs to connect to SignalR Service: the client URL and its access token.</summary>
public sealed class SignalRConnectionInfo
{
    public string Url { get; set; } = "";

    public string AccessToken { get; set; } = "";
}
