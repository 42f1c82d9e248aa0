using System.Net;
using Serverless.Contracts.Api;
using Serverless.Testing;
using Serverless.Updates.Client;

namespace Serverless.Tests.WebClient;

/// <summary>
/// The page on a channel whose older history compaction trimmed (docs/retention.md): the stack keeps the last 5 updates
/// of <c>trim.*</c> channels and compacts every 2 seconds, through the app's timer-triggered Compact function under the
/// host stand-in. The page meets the 410, shows the latest values, says that older history was trimmed, and goes on.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class TrimmedHistoryTests(LocalStackFixture fixture)
{
    [Fact]
    public async Task A_page_joining_a_trimmed_channel_says_older_history_was_trimmed_and_goes_on_from_the_head()
    {
        var channel = TestEvents.NewChannel("trim");
        await fixture.PublishAsync(channel, Enumerable.Range(1, 30).Select(i => $"u{i}"));
        // The head from the channel list: reading the log from 0 may meet compaction's 410 first.
        await Poll.UntilAsync(async () =>
            (await UpdatesApi.ListChannelsAsync(fixture.Api, channel)).Channels.SingleOrDefault(c => c.Channel == channel) is { Head: 30 } ? (bool?)true : null,
            TimeSpan.FromSeconds(60));
        // Compaction ran once /updates after 0 answers 410: the log now begins at #26.
        await Poll.UntilAsync(async () =>
        {
            using var response = await fixture.Api.GetAsync(ApiRoutes.Updates(channel, 0, 1));
            return response.StatusCode == HttpStatusCode.Gone ? (bool?)true : null;
        }, TimeSpan.FromSeconds(60));

        await using var page = await WebClientPage.OpenAsync(fixture, channel, "websockets");
        await page.WaitInCardAsync("card.dataset.trimmed === '26'", TimeSpan.FromSeconds(30));
        // The latest value of the channel's key stands for the trimmed history: the last update before the join.
        var latest = await page.InCardAsync<string>("card.querySelector('.latest').textContent");
        await fixture.PublishAsync(channel, ["after"]);
        await page.WaitForSeqAsync(31);

        var note = await page.InCardAsync<string>("card.querySelector('.note').textContent");
        Assert.Contains("Older history was trimmed", note);
        Assert.Contains("#26", note);
        var seqs = await page.SeqsAsync();
        Assert.Equal([31L], seqs);
        Assert.Contains("u30", latest);
        await page.ScreenshotAsync("trimmed-history");
    }
}
