using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Functions.Push;

/// <summary>
/// What clients receive on the hub method <c>updates</c> (and what the Updates endpoint returns):
/// one channel's updates in sequence order, with the epoch of the log they belong to.
/// </summary>
public sealed record UpdateMessage(string Channel, string Epoch, IReadOnlyList<UpdateItem> Updates)
{
    /// <summary>The client method SignalR Service invokes.</summary>
    public const string Target = "updates";
}

/// <summary>One update as clients see it.</summary>
public sealed record UpdateItem(
    long Seq,
    string Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Key,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? Time,
    JsonElement Data);
