using Serverless.Testing;

namespace Serverless.Tests.WebClient;

/// <summary>
/// The web client in a real Chromium against the whole local stack: updates published to Event Hubs reach the page
/// through the host stand-in, the function app, Table Storage and the SignalR Service (or plain polling).
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class WebClientTests(LocalStackFixture fixture)
{
    [Theory]
    [InlineData("websockets", "push")]
    [InlineData("sse", "push")]
    [InlineData("longpolling", "push")]
    [InlineData("polling", "poll")]
    public async Task The_page_shows_published_updates_in_order_on_each_transport(string transport, string arrivesBy)
    {
        var channel = TestEvents.NewChannel("web");
        await using var page = await WebClientPage.OpenAsync(fixture, channel, transport);

        var ids = Enumerable.Range(1, 30).Select(i => $"{transport}-{i}").ToArray();
        foreach (var chunk in ids.Chunk(5))
        {
            await fixture.PublishAsync(channel, chunk);
        }

        await page.WaitForSeqAsync(30);
        var seqs = await page.SeqsAsync();
        Assert.True(seqs.SequenceEqual(Enumerable.Range(1, 30).Select(i => (long)i)), $"the page shows {string.Join(",", seqs)}: {await page.DiagnosticsAsync()}");
        Assert.Equal(ids, await page.IdsAsync());
        var counts = await page.CountsAsync();
        Assert.True(counts[arrivesBy] > 0, $"no update arrived by {arrivesBy}: {string.Join(", ", counts)}");
        if (transport == "polling")
        {
            Assert.Equal(30, counts["poll"]);
            Assert.Equal(0, counts["push"]);
        }
    }

    [Fact]
    public async Task After_the_signalr_service_goes_down_and_comes_back_the_page_has_every_update_once_in_order()
    {
        var channel = TestEvents.NewChannel("web");
        await using var page = await WebClientPage.OpenAsync(fixture, channel, "websockets");
        await fixture.PublishAsync(channel, Enumerable.Range(1, 10).Select(i => $"before-{i}"));
        await page.WaitForSeqAsync(10);

        // The outage: connections drop and pushes fail, while updates keep coming and are stored.
        await fixture.Stack.StopSignalRAsync();
        await page.WaitForStateAsync("reconnecting");
        foreach (var chunk in Enumerable.Range(1, 20).Select(i => $"during-{i}").Chunk(4))
        {
            await fixture.PublishAsync(channel, chunk);
        }

        await fixture.WaitForHeadAsync(channel, 30);
        await fixture.Stack.StartSignalRAsync();
        await page.WaitForStateAsync("connected");
        await fixture.PublishAsync(channel, Enumerable.Range(1, 10).Select(i => $"after-{i}"));
        await page.WaitForSeqAsync(40);

        var screenshot = await page.ScreenshotAsync("after-signalr-outage");
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), await page.SeqsAsync());
        string[] published = [.. Enumerable.Range(1, 10).Select(i => $"before-{i}"), .. Enumerable.Range(1, 20).Select(i => $"during-{i}"), .. Enumerable.Range(1, 10).Select(i => $"after-{i}")];
        Assert.Equal(published, await page.IdsAsync());
        // Each update arrived once, by push or by catch-up: which depends on whether a push of the outage was still
        // being retried when the service came back.
        var counts = await page.CountsAsync();
        Assert.Equal(40, counts["push"] + counts["catch-up"]);
        Assert.True(File.Exists(screenshot));
    }

    [Fact]
    public async Task After_the_page_loses_its_network_it_catches_up_every_update_once_in_order()
    {
        var channel = TestEvents.NewChannel("web");
        await using var page = await WebClientPage.OpenAsync(fixture, channel, "polling");
        await fixture.PublishAsync(channel, Enumerable.Range(1, 5).Select(i => $"online-{i}"));
        await page.WaitForSeqAsync(5);

        await page.Page.Context.SetOfflineAsync(true);
        await page.WaitForStateAsync("reconnecting");
        await fixture.PublishAsync(channel, Enumerable.Range(1, 15).Select(i => $"offline-{i}"));
        await fixture.WaitForHeadAsync(channel, 20);
        await page.Page.Context.SetOfflineAsync(false);
        await page.WaitForSeqAsync(20);

        await page.ScreenshotAsync("after-network-drop");
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), await page.SeqsAsync());
        string[] published = [.. Enumerable.Range(1, 5).Select(i => $"online-{i}"), .. Enumerable.Range(1, 15).Select(i => $"offline-{i}")];
        Assert.Equal(published, await page.IdsAsync());
    }

    [Fact]
    public async Task When_a_channel_starts_a_new_epoch_the_page_starts_it_over()
    {
        var channel = TestEvents.NewChannel("web");
        await using var page = await WebClientPage.OpenAsync(fixture, channel, "websockets");
        await fixture.PublishAsync(channel, Enumerable.Range(1, 5).Select(i => $"old-{i}"));
        await page.WaitForSeqAsync(5);
        var oldEpoch = await page.Page.GetAttributeAsync($"section.channel[data-channel='{channel}']", "data-epoch");

        await fixture.ResetChannelAsync(channel);
        await fixture.PublishAsync(channel, ["new-1", "new-2"]);
        await page.Page.WaitForFunctionAsync(
            "([channel, old]) => [...document.querySelectorAll('section.channel')].some(s => s.dataset.channel === channel && s.dataset.epoch && s.dataset.epoch !== old && s.querySelectorAll('.log li').length === 2)",
            new object[] { channel, oldEpoch! }, new() { Timeout = 60_000 });

        var (seqs, ids) = (await page.SeqsAsync(), await page.IdsAsync());
        Assert.Equal([1L, 2L], seqs);
        Assert.Equal(["new-1", "new-2"], ids);
        Assert.True(await page.Page.IsVisibleAsync($"section.channel[data-channel='{channel}'] .note"));
    }

    [Fact]
    public async Task The_page_offers_the_channels_the_function_app_knows()
    {
        var channel = TestEvents.NewChannel("web");
        await fixture.PublishAsync(channel, ["only"]);
        await fixture.WaitForHeadAsync(channel, 1);
        await using var page = await WebClientPage.OpenAsync(fixture, channel, "websockets");

        await page.Page.WaitForSelectorAsync($"#channel-list li[data-channel='{channel}']", new() { Timeout = 30_000 });
        var head = await page.Page.TextContentAsync($"#channel-list li[data-channel='{channel}'] .head");

        Assert.Equal("#1", head);
    }
}
