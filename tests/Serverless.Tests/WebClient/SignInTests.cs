using Microsoft.Playwright;
using Serverless.Testing;

namespace Serverless.Tests.WebClient;

/// <summary>
/// The page's local sign-in in Chromium: signed in as alice it offers and shows her private channel and never bob's,
/// and says who is signed in; anonymous, it offers the public channels only (docs/identity.md#the-development-issuer).
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class SignInTests(LocalStackFixture fixture)
{
    private const string ListedChannels = "[...document.querySelectorAll('#channel-list li')].map(li => li.dataset.channel)";

    [Fact]
    public async Task Signed_in_as_alice_the_page_shows_her_inbox_and_never_bobs()
    {
        var (alices, bobs, prices) = (TestEvents.NewChannel("users.alice"), TestEvents.NewChannel("users.bob"), TestEvents.NewChannel("prices"));
        foreach (var channel in new[] { alices, bobs, prices })
        {
            await fixture.PublishAsync(channel, ["first"]);
            await fixture.WaitForHeadAsync(channel, 1);
        }

        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(fixture.Stack.WebUrl, "?as=alice&transport=websockets").ToString());
        await WaitForCardAsync(page, alices, seq: 1);
        await fixture.PublishAsync(alices, ["second"]);
        await WaitForCardAsync(page, alices, seq: 2);

        var listed = await page.EvaluateAsync<string[]>(ListedChannels);
        Assert.Contains(alices, listed);
        Assert.Contains(prices, listed);
        Assert.DoesNotContain(listed, channel => channel.StartsWith("users.bob.", StringComparison.Ordinal));
        Assert.Empty(await page.EvaluateAsync<string[]>("[...document.querySelectorAll('section.channel')].map(s => s.dataset.channel).filter(c => c.startsWith('users.bob.'))"));
        Assert.Equal("signed in as alice", await page.TextContentAsync("#who"));
        Assert.Equal("alice", await page.InputValueAsync("#user"));
        Assert.Empty(await page.EvaluateAsync<string[]>("window.serverless.errors"));
    }

    [Fact]
    public async Task Anonymous_the_page_offers_the_public_channels_only()
    {
        var (alices, prices) = (TestEvents.NewChannel("users.alice"), TestEvents.NewChannel("prices"));
        await fixture.PublishAsync(alices, ["first"]);
        await fixture.PublishAsync(prices, ["first"]);
        await fixture.WaitForHeadAsync(prices, 1);
        await fixture.WaitForHeadAsync(alices, 1);

        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(fixture.Stack.WebUrl, "?transport=websockets").ToString());
        await WaitForCardAsync(page, prices, seq: 1);

        var listed = await page.EvaluateAsync<string[]>(ListedChannels);
        Assert.All(listed, channel => Assert.StartsWith("prices.", channel));
        Assert.Equal("not signed in: public channels only", await page.TextContentAsync("#who"));
        Assert.Equal(["", "alice", "bob", "operator"], await page.EvaluateAsync<string[]>("[...document.querySelectorAll('#user option')].map(o => o.value)"));
    }

    [Theory]
    [InlineData("websockets")]
    [InlineData("polling")]
    public async Task A_channel_the_caller_may_not_follow_is_dropped_with_a_word_why_and_the_rest_still_arrive(string transport)
    {
        var (prices, orders) = (TestEvents.NewChannel("prices"), TestEvents.NewChannel("orders"));
        foreach (var channel in new[] { prices, orders })
        {
            await fixture.PublishAsync(channel, ["first"]);
            await fixture.WaitForHeadAsync(channel, 1);
        }

        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(fixture.Stack.WebUrl, $"?transport={transport}&channels={prices},{orders}").ToString());
        await WaitForCardAsync(page, prices, seq: 1);
        await page.WaitForFunctionAsync("c => window.serverless.errors.some(e => e.includes('401') && e.includes(c))", orders,
            new PageWaitForFunctionOptions { Timeout = 30_000 });
        await fixture.PublishAsync(prices, ["second"]);
        await WaitForCardAsync(page, prices, seq: 2);

        Assert.Empty(await page.EvaluateAsync<string[]>("c => [...document.querySelectorAll('section.channel')].map(s => s.dataset.channel).filter(name => name === c)", orders));
    }

    private static Task WaitForCardAsync(IPage page, string channel, long seq) =>
        page.WaitForFunctionAsync(
            "([channel, seq]) => [...document.querySelectorAll('section.channel')].some(s => s.dataset.channel === channel && s.dataset.following === 'true' && Number(s.querySelector('.last').textContent.slice(1)) >= seq)",
            new object[] { channel, seq }, new PageWaitForFunctionOptions { Timeout = 30_000 });
}
