namespace Serverless.Contracts.Api;

/// <summary>
/// The body of <c>POST /api/subscriptions</c>: the channels to join, for the SignalR user whose connections receive
/// them. A signed-in caller's subscription joins the caller's own user (<see cref="UserId"/> may be left out; another
/// user's id is refused). An anonymous caller names the anonymous user id its negotiate answered
/// (<see cref="NegotiateResponse.UserId"/>), which only that caller holds.
/// </summary>
public sealed record SubscribeRequest(string? UserId, string[]? Channels)
{
    public const int MaxChannels = 50;
    public const int MaxBodyBytes = 64 * 1024;
}

/// <summary>
/// The answer: each channel's position, from which the client catches up, and for how long the membership lasts.
/// A client subscribes again before <see cref="ExpiresInSeconds"/> runs out (half-way is the rule of docs/client-rules.md);
/// what it may no longer follow is refused then, and its membership lapses.
/// </summary>
public sealed record SubscribeResponse(string UserId, IReadOnlyList<ChannelPosition> Channels, int ExpiresInSeconds);
