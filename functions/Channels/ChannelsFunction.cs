using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Serverless.Contracts.Api;
using Serverless.Contracts.CloudEvents;
using Serverless.Functions.Access;
using Serverless.Functions.Api;
using Serverless.Pipeline.Access;
using Serverless.Pipeline.Storage;

namespace Serverless.Functions.Channels;

/// <summary>
/// <c>GET /api/channels?prefix=P&amp;after=C&amp;limit=M</c>: the known channels the caller may follow, in name order,
/// each with its epoch and head, so that a page (or any client) can offer them. <c>next</c> is the <c>after</c> of the
/// following page. Only the name ranges the caller's rules reach are read (<see cref="ChannelAccess.ListingPrefixes"/>).
/// </summary>
public sealed class ChannelsFunction(UpdateLog log, ChannelAccess access)
{
    [Function("Channels")]
    public async Task<Results<Ok<ChannelList>, ProblemHttpResult>> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "channels")] HttpRequest request,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var prefix = request.Query["prefix"].ToString();
        var after = request.Query["after"].ToString();
        if (prefix.Length > 0 && !ChannelName.IsValid(prefix))
        {
            return ApiProblems.BadRequest($"prefix must be the start of a channel name: {ChannelName.Describe(prefix)}.");
        }

        if (after.Length > 0 && !ChannelName.IsValid(after))
        {
            return ApiProblems.InvalidChannel(after);
        }

        if (!QueryValues.TryRead(request, "limit", ChannelList.DefaultLimit, 1, ChannelList.MaxLimit, out var limit))
        {
            return ApiProblems.BadRequest($"limit must be a whole number from 1 to {ChannelList.MaxLimit}.");
        }

        var caller = context.GetCaller();
        var ranges = await Task.WhenAll(access.ListingPrefixes(caller, prefix)
            .Select(range => log.ListChannelNamesAsync(range, after, (int)limit, cancellationToken)));
        // Each range is in order; together, the first `limit` names of their union are this page's candidates.
        var candidates = ranges.SelectMany(names => names).Distinct().Order(StringComparer.Ordinal).Take((int)limit).ToArray();
        var more = candidates.Length == limit;
        var names = candidates.Where(name => access.MayFollow(caller, name)).ToArray();
        var heads = await log.ReadHeadsAsync(names, cancellationToken);
        return TypedResults.Ok(new ChannelList(
            names.Select((name, i) => new ChannelPosition(name, heads[i]?.Epoch, heads[i]?.LastSequence ?? 0)).ToArray(),
            more ? candidates[^1] : null));
    }
}
