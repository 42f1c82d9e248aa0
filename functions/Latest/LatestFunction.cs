using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Serverless.Contracts.Api;
using Serverless.Pipeline.Storage;

namespace Serverless.Functions.Latest;

/// <summary><c>GET /api/channels/{channel}/latest</c>: the latest value of each entity key, the snapshot a new client starts from.</summary>
public sealed class LatestFunction(UpdateLog log)
{
    /// <remarks>An invalid channel name is answered with 400 before this runs (<see cref="Api.ChannelRouteCheck"/>).</remarks>
    [Function("Latest")]
    public async Task<Ok<LatestValuesPage>> ReadAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "channels/{channel}/latest")] HttpRequest request,
        string channel,
        CancellationToken cancellationToken)
    {
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
