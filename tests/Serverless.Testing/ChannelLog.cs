using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.Testing;

/// <summary>A channel's stored log, read through the function app's <c>/updates</c>.</summary>
public static class ChannelLog
{
    /// <summary>Waits until the channel's head reaches <paramref name="head"/>; answers the first page of its log.</summary>
    public static async Task<JsonElement> WaitForHeadAsync(HttpClient functionApp, string channel, long head)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var page = await functionApp.GetFromJsonAsync<JsonElement>($"/api/channels/{channel}/updates?after=0", timeout.Token);
            if (page.GetProperty("head").GetInt64() >= head)
            {
                return page;
            }

            await Task.Delay(100, timeout.Token);
        }
    }
}
