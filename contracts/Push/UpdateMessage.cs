using Serverless.Contracts.Api;

namespace Serverless.Contracts.Push;

/// <summary>
/// What clients receive on the hub method <see cref="Target"/>: one channel's updates in sequence order, with the epoch
/// of the log they belong to.
/// </summary>
public sealed record UpdateMessage(string Channel, string Epoch, IReadOnlyList<UpdateItem> Updates)
{
    /// <summary>The client method SignalR Service invokes.</summary>
    public const string Target = "updates";
}
