using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Contracts.Api;

/// <summary>One stored update as clients see it, in a push and in a page of <c>/updates</c>.</summary>
/// <param name="Seq">Its place in the channel's log: 1, 2, 3… within an epoch, with no gaps.</param>
/// <param name="Id">The CloudEvent's <c>id</c>.</param>
/// <param name="Key">The entity it is about (<c>entitykey</c>), if any.</param>
/// <param name="Type">The CloudEvent's <c>type</c>.</param>
/// <param name="Time">The CloudEvent's <c>time</c>, if it had one.</param>
/// <param name="Data">The CloudEvent's <c>data</c>, as JSON.</param>
public sealed record UpdateItem(
    long Seq,
    string Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Key,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? Time,
    JsonElement Data);
