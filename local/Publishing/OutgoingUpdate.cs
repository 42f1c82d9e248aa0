using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Contracts.CloudEvents;

namespace Serverless.Local.Publishing;

/// <summary>One event body to send, with the channel (the CloudEvent's <c>subject</c>) as its partition key.</summary>
public sealed record OutgoingUpdate(string Body, string? PartitionKey)
{
    public static OutgoingUpdate From(JsonNode cloudEvent) =>
        new(cloudEvent.ToJsonString(), cloudEvent is JsonObject e && e[UpdateAttributes.Channel] is JsonValue subject && subject.GetValueKind() == JsonValueKind.String
            ? subject.GetValue<string>()
            : null);
}
