using Microsoft.AspNetCore.Http.HttpResults;
using Serverless.Contracts.CloudEvents;
using Serverless.Pipeline.Access;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.Functions.Api;

/// <summary>The problem-details answers the HTTP functions share.</summary>
internal static class ApiProblems
{
    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(title: "Bad request", detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult InvalidChannel(string? channel) =>
        BadRequest($"'{CloudEventParser.Bounded(channel ?? "", 200)}' is not a channel name: {ChannelName.Describe(channel)}.");

    public static ProblemHttpResult Unauthorized(string detail) =>
        TypedResults.Problem(title: "Unauthorized", detail: detail, statusCode: StatusCodes.Status401Unauthorized);

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(title: "Forbidden", detail: detail, statusCode: StatusCodes.Status403Forbidden);

    public static ProblemHttpResult TooManyRequests(string detail) =>
        TypedResults.Problem(title: "Too many requests", detail: detail, statusCode: StatusCodes.Status429TooManyRequests);

    /// <summary>410: the updates after <paramref name="after"/> begin before what the log still holds (docs/retention.md).</summary>
    public static ProblemHttpResult HistoryTrimmed(string channel, long after, long firstRetained) => TypedResults.Problem(
        title: "Gone",
        detail: $"Updates of '{channel}' before #{firstRetained} are no longer kept, so none follow #{after}; load its latest values and go on from its head.",
        statusCode: StatusCodes.Status410Gone,
        extensions: new Dictionary<string, object?> { [Contracts.Api.HistoryTrimmed.FirstRetainedProperty] = firstRetained });

    /// <summary>401 where signing in could help, 403 where the caller is known and no rule allows the channel.</summary>
    public static ProblemHttpResult ChannelDenied(AccessDecision decision, string channel) => decision == AccessDecision.SignInRequired
        ? Unauthorized($"Sign in to follow '{channel}': it is not a public channel.")
        : Forbidden($"You may not follow '{channel}'.");
}
