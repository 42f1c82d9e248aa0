namespace Serverless.Contracts.Api;

/// <summary>
/// The known channels in name order (<c>GET /api/channels?prefix=P&amp;after=C&amp;limit=M</c>); <see cref="Next"/> is the
/// <c>after</c> of the following page, null on the last.
/// </summary>
public sealed record ChannelList(IReadOnlyList<ChannelPosition> Channels, string? Next)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 100;
}
