using System.Text.Json;

namespace Serverless.Contracts.Api;

/// <summary>
/// The latest value of a channel's entity keys, a page of them in key order
/// (<c>GET /api/channels/{channel}/latest?after=K&amp;limit=M</c>); <see cref="Next"/> is the <c>after</c> of the
/// following page, null on the last.
/// </summary>
public sealed record LatestValuesPage(string Channel, string? Epoch, long Head, IReadOnlyList<LatestValue> Values, string? Next)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
}

/// <summary>One entity's latest value: the update that set it, with the entity's version.</summary>
public sealed record LatestValue(string Key, long Seq, long? Version, string Id, string Type, DateTimeOffset? Time, JsonElement Data);
