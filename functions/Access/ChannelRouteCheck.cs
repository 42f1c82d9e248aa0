using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Serverless.Contracts.CloudEvents;
using Serverless.Functions.Api;
using Serverless.Pipeline.Access;

namespace Serverless.Functions.Access;

/// <summary>
/// Checks the channel of every HTTP function that takes one from its route (a <c>channel</c> parameter, bound from
/// <c>/api/channels/{channel}/…</c>) before the function runs: 400 with problem details when it is not a channel name,
/// 401 or 403 when the caller may not follow it. The functions themselves only ever see a channel their caller may read,
/// and no route of that shape can forget the check.
/// </summary>
internal sealed class ChannelRouteCheck(ChannelAccess access) : IFunctionsWorkerMiddleware
{
    public const string RouteValue = "channel";

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.FunctionDefinition.Parameters.Any(p => p.Name == RouteValue)
            && context.GetHttpContext() is { } http
            && context.BindingContext.BindingData.TryGetValue(RouteValue, out var value))
        {
            var channel = value?.ToString();
            if (!ChannelName.IsValid(channel))
            {
                await ApiProblems.InvalidChannel(channel).ExecuteAsync(http);
                return;
            }

            if (access.Check(context.GetCaller(), channel!) is var decision and not AccessDecision.Allowed)
            {
                if (decision == AccessDecision.SignInRequired)
                {
                    http.Response.Headers.WWWAuthenticate = "Bearer";
                }

                await ApiProblems.ChannelDenied(decision, channel!).ExecuteAsync(http);
                return;
            }
        }

        await next(context);
    }
}
