namespace Serverless.Contracts.Api;

/// <summary>The body of <c>POST /api/subscriptions</c>: a SignalR connection and the channels it joins.</summary>
public sealed record SubscribeRequest(string? ConnectionId, string[]? Channels)
{
    public const int MaxChannels = 100;
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxConnectionIdLength = 256;
}

/// <summary>The answer: each channel's position, from which the client catches up.</summary>
public sealed record SubscribeResponse(string ConnectionId, IReadOnlyList<ChannelPosition> Channels);
