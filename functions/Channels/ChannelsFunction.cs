using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Serverless.Contracts.Api;
using Serverless.Contracts.CloudEvents;
using Serverless.Functions.Api;
using Serverless.Pipeline.Storage;

namespace Serverless.Functions.Channels;

/// <summary>
/// <c>GET /api/channels?prefix=P&amp;after=C&amp;limit=M</c>: the known channels in name order, each with its epoch and
/// head, so that a page (or any client) can offer them. <c>next</c> is the <c>after</c> of the following page.
/// </summary>
public sealed class ChannelsFunction(UpdateLog log)
{
    [Function("Channels")]
    public async Task<Results<Ok<ChannelList>, ProblemHttpResult>> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "channels")] HttpRequest request,
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

        var channels = await log.ListChannelsAsync(prefix, after, (int)limit, cancellationToken);
        return TypedResults.Ok(new ChannelList(
            channels.Select(c => new ChannelPosition(c.Channel, c.Head?.Epoch, c.Head?.LastSequence ?? 0)).ToArray(),
            channels.Count == limit ? channels[^1].Channel : null));
    }
}
