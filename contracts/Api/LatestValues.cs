using System.Text.Json;

namespace Serverless.Contracts.Api;

/// <summary>The latest value of each entity key of a channel (<c>GET /api/channels/{channel}/latest</c>).</summary>
public sealed record LatestValuesPage(string Channel, string? Epoch, long Head, IReadOnlyList<LatestValue> Values);

/// <summary>One entity's latest value: the update that set it, with the entity's version.</summary>
public sealed record LatestValue(string Key, long Seq, long? Version, string Id, string Type, DateTimeOffset? Time, JsonElement Data);
