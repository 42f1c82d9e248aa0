using Serverless.Contracts.Api;
using Serverless.Updates.Client;

namespace Serverless.Testing;

/// <summary>A channel's stored log, read through the function app's <c>/updates</c>.</summary>
public static class ChannelLog
{
    /// <summary>Waits until the channel's head reaches <paramref name="head"/>; answers the first page of its log.</summary>
    public static async Task<UpdatesPage> WaitForHeadAsync(HttpClient functionApp, string channel, long head)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var page = await UpdatesApi.ReadPageAsync(functionApp, channel, 0, UpdatesPage.DefaultLimit, timeout.Token);
            if (page.Head >= head)
            {
                return page;
            }

            await Task.Delay(100, timeout.Token);
        }
    }
}
