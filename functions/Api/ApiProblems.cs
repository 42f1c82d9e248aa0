using Microsoft.AspNetCore.Http.HttpResults;
using Serverless.Contracts.CloudEvents;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.Functions.Api;

/// <summary>The problem-details answers the HTTP functions share.</summary>
public static class ApiProblems
{
    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(title: "Bad request", detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult InvalidChannel(string? channel) =>
        BadRequest($"'{CloudEventParser.Bounded(channel ?? "", 200)}' is not a channel name: {ChannelName.Describe(channel)}.");
}
