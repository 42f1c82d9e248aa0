using Serverless.Functions.CloudEvents;

namespace Serverless.Functions.Api;

/// <summary>The problem-details answers the HTTP functions share.</summary>
public static class ApiProblems
{
    public static IResult BadRequest(string detail) =>
        Results.Problem(title: "Bad request", detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static IResult InvalidChannel(string? channel) =>
        BadRequest($"'{CloudEventParser.Bounded(channel ?? "", 200)}' is not a channel name: {ChannelName.Describe(channel)}.");
}
