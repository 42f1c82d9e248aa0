namespace Serverless.SignalRService.Hubs;

/// <summary>Ends user-group memberships whose <c>ttl</c> has passed, once a second.</summary>
internal sealed class MembershipExpiry(ConnectionRegistry registry, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await registry.ExpireMembershipsAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
