using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Serverless.Contracts.Api;
using Serverless.Contracts.CloudEvents;
using Serverless.Functions.Api;
using Serverless.Pipeline.Storage;

namespace Serverless.Functions.Latest;

/// <summary>
/// <c>GET /api/channels/{channel}/latest?after=K&amp;limit=M</c>: the latest value of each entity key, a page at a time
/// in key order (at most <see cref="PageLimits.MaxDataBytes"/> of data), the snapshot a new client starts from.
/// </summary>
public sealed class LatestFunction(UpdateLog log)
{
    /// <remarks>An invalid channel name (400) and a caller who may not follow it (401, 403) are answered before this runs (<see cref="Access.ChannelRouteCheck"/>).</remarks>
    [Function("Latest")]
    public async Task<Results<Ok<LatestValuesPage>, ProblemHttpResult>> ReadAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "channels/{channel}/latest")] HttpRequest request,
        string channel,
        CancellationToken cancellationToken)
    {
        var after = request.Query["after"].ToString();
        if (after.Length > EntityKeyMaxLength || after.Any(char.IsControl))
        {
            return ApiProblems.BadRequest($"after must be an entity key: at most {EntityKeyMaxLength} characters, none of them control characters.");
        }

        if (!QueryValues.TryRead(request, "limit", LatestValuesPage.DefaultLimit, 1, LatestValuesPage.MaxLimit, out var limit))
        {
            return ApiProblems.BadRequest($"limit must be a whole number from 1 to {LatestValuesPage.MaxLimit}.");
        }

        var latest = await log.ReadLatestAsync(channel, after, (int)limit, cancellationToken);
        var page = PageBudget.Within(latest.Values, v => v.Data);
        return TypedResults.Ok(new LatestValuesPage(
            channel,
            latest.Head?.Epoch,
            latest.Head?.LastSequence ?? 0,
            page.Select(v => new LatestValue(v.Key!, v.Seq, v.Version, v.Id, v.Type, v.Time, v.Data)).ToArray(),
            page.Count < latest.Values.Count || latest.More ? page[^1].Key : null));
    }

    private const int EntityKeyMaxLength = 256;
}
