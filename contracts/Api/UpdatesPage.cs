namespace Serverless.Contracts.Api;

/// <summary>
/// A page of a channel's log (<c>GET /api/channels/{channel}/updates?after=N&amp;limit=M</c>): the updates after N in
/// order, with the channel's epoch and head; <see cref="Head"/> tells whether more follows.
/// </summary>
public sealed record UpdatesPage(string Channel, string? Epoch, long Head, IReadOnlyList<UpdateItem> Updates)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
}
