using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Serverless.Contracts.CloudEvents;

namespace Serverless.Functions.Api;

/// <summary>
/// Checks the channel of every HTTP function that takes one from its route (a <c>channel</c> parameter, bound from
/// <c>/api/channels/{channel}/…</c>) before the function runs, and answers 400 with problem details when it is not a
/// channel name. The functions themselves only ever see a valid name.
/// </summary>
public sealed class ChannelRouteCheck : IFunctionsWorkerMiddleware
{
    public const string RouteValue = "channel";

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.FunctionDefinition.Parameters.Any(p => p.Name == RouteValue)
            && context.GetHttpContext() is { } http
            && context.BindingContext.BindingData.TryGetValue(RouteValue, out var value)
            && value?.ToString() is var channel
            && !ChannelName.IsValid(channel))
        {
            await ApiProblems.InvalidChannel(channel).ExecuteAsync(http);
            return;
        }

        await next(context);
    }
}
