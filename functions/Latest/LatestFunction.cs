using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Serverless.Functions.Api;
using Serverless.Functions.CloudEvents;
using Serverless.Functions.Storage;

namespace Serverless.Functions.Latest;

/// <summary><c>GET /api/channels/{channel}/latest</c>: the latest value of each entity key, the snapshot a new client starts from.</summary>
public sealed class LatestFunction(UpdateLog log)
{
    [Function("Latest")]
    public async Task<Results<Ok<LatestValuesPage>, ProblemHttpResult>> ReadAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "channels/{channel}/latest")] HttpRequest request,
        string channel,
        CancellationToken cancellationToken)
    {
        if (!ChannelName.IsValid(channel))
        {
            return ApiProblems.InvalidChannel(channel);
        }

        var head = log.ReadHeadAsync(channel, cancellationToken);
        var values = log.ReadLatestAsync(channel, cancellationToken);
        var (headValue, stored) = (await head, await values);
        return TypedResults.Ok(new LatestValuesPage(
            channel,
            headValue?.Epoch,
            headValue?.LastSequence ?? 0,
            stored.Select(v => new LatestValue(v.Key!, v.Seq, v.Version, v.Id, v.Type, v.Time, v.Data)).ToArray()));
    }
}

public sealed record LatestValuesPage(string Channel, string? Epoch, long Head, IReadOnlyList<LatestValue> Values);

public sealed record LatestValue(string Key, long Seq, long? Version, string Id, string Type, DateTimeOffset? Time, System.Text.Json.JsonElement Data);
