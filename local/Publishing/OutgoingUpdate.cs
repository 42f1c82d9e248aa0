using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Contracts.CloudEvents;

namespace Serverless.Local.Publishing;

/// <summary>One event body to send, with its id and its channel (the CloudEvent's <c>subject</c>) as the partition key.</summary>
public sealed record OutgoingUpdate(string Body, string? PartitionKey, string? Id = null)
{
    public static OutgoingUpdate From(JsonNode cloudEvent) =>
        new(cloudEvent.ToJsonString(), StringAttribute(cloudEvent, UpdateAttributes.Channel), StringAttribute(cloudEvent, UpdateAttributes.Id));

    /// <summary>A body as sent before (a journal's line).</summary>
    public static OutgoingUpdate? Parse(string body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject cloudEvent ? From(cloudEvent) with { Body = body } : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? StringAttribute(JsonNode cloudEvent, string name) =>
        cloudEvent is JsonObject e && e[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
