using Serverless.Contracts.Api;

namespace Serverless.Updates.Client;

/// <summary>
/// <c>/updates</c> answered 410: the channel's log no longer holds what follows the asked sequence number; it begins
/// at <see cref="FirstRetained"/> (<see cref="HistoryTrimmed"/>).
/// </summary>
public sealed class HistoryTrimmedException(string what, long firstRetained)
    : Exception($"{what}: the log now begins at #{firstRetained}; older updates are no longer kept.")
{
    public long FirstRetained => firstRetained;
}
