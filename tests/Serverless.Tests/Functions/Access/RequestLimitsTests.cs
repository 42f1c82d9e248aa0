using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Serverless.Contracts.Api;
using Serverless.Contracts.Settings;
using Serverless.Testing;
using Serverless.Tooling;
using Xunit.Abstractions;

namespace Serverless.Tests.Functions.Access;

/// <summary>
/// The limits per client, on an app of their own with the sample's limits (20 requests a second, bursts of 50): a
/// client that floods gets 429 with <c>Retry-After</c> and problem details, never a 5xx, however it dresses its
/// address; another client is still served meanwhile.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class RequestLimitsTests(PipelineFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    // Fewer than the sample's 1,000, so that the test reaches it in a few requests.
    private const int ChannelsPerUser = 60;

    private const int FloodRefusals = 40;
    private const int FloodSecondsAtMost = 60;

    private FunctionAppServer app = null!;

    public async Task InitializeAsync()
    {
        // An Event Hubs address nobody listens on: this app serves HTTP only, and never reads the fixture's hub.
        var settings = FunctionAppServer.Settings(fixture.Azurite.ConnectionString, fixture.SignalR.ConnectionString, SettingDefaults.LocalEventHubConnection(LoopbackPorts.Free()));
        settings[SettingNames.RequestsPerSecond] = $"{SettingDefaults.RequestsPerSecond}";
        settings[SettingNames.RequestBurst] = $"{SettingDefaults.RequestBurst}";
        settings[SettingNames.ChannelsPerUser] = $"{ChannelsPerUser}";
        app = await FunctionAppServer.StartAsync(settings);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_flooding_client_gets_429_while_another_client_catches_up()
    {
        var channel = TestEvents.NewChannel("prices");
        const int Stored = 30;
        await fixture.IngestAsync(TestEvents.Batch(Enumerable.Range(1, Stored).Select(i => TestEvents.Update(channel, $"p{i}", key: $"k{i % 5}"))));
        using var flooder = TestCallers.ClientAs(app.BaseAddress, user: null);
        using var alice = TestCallers.ClientAs(app.BaseAddress, "alice");
        // Warm: the other client's first catch-up pays for this app's first table read, flood or not.
        using (var first = await alice.GetAsync($"/api/channels/{channel}/updates?after=0"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // The flood runs until it has been refused a number of times, however fast this machine sends (a limit of time
        // in case it never is).
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(FloodSecondsAtMost));
        var refusals = new StrongBox<int>(0);
        var clock = Stopwatch.StartNew();
        var flood = Task.WhenAll(Enumerable.Range(0, 12).Select(worker => FloodAsync(flooder, channel, worker, refusals, stop)));
        // What each of the other client's catch-ups answered; how long they took is printed, not asserted (a benchmark's
        // matter: the suite runs other collections beside this one on the same cores).
        var catchUps = new List<(HttpStatusCode Status, long[] Seqs, TimeSpan Took)>();
        do
        {
            var watch = Stopwatch.StartNew();
            using var response = await alice.GetAsync($"/api/channels/{channel}/updates?after=0");
            var page = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<UpdatesPage>() : null;
            catchUps.Add((response.StatusCode, page?.Updates.Select(u => u.Seq).ToArray() ?? [], watch.Elapsed));
            await Task.Delay(200);
        }
        while (!stop.IsCancellationRequested);

        var answers = (await flood).SelectMany(a => a).ToList();
        var floodSeconds = clock.Elapsed.TotalSeconds;

        Assert.DoesNotContain(answers, a => (int)a.Status >= 500);
        // The flood's share: the burst, then the steady rate for as long as it ran (a second to spare).
        var share = (int)(SettingDefaults.RequestBurst + (floodSeconds + 1) * SettingDefaults.RequestsPerSecond);
        Assert.True(refusals.Value >= FloodRefusals, $"the flood sent {answers.Count} requests in {floodSeconds:F0} s and was refused {refusals.Value} times");
        var served = answers.Count(a => a.Status == HttpStatusCode.OK);
        Assert.InRange(served, SettingDefaults.RequestBurst, share);
        var refused = answers.Where(a => a.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(answers.Count - served, refused.Count);
        Assert.All(refused, a => Assert.True(a.RetryAfter >= 1 && a.Problem, $"Retry-After {a.RetryAfter}, problem details {a.Problem}"));
        var took = string.Join(", ", catchUps.Select(c => $"{c.Took.TotalMilliseconds:F0}"));
        output.WriteLine($"flood: {answers.Count} requests, {refused.Count} refused; the other client's catch-ups (ms): {took}");
        // The other client was served all along: every catch-up during the flood answered the whole log, in order.
        Assert.All(catchUps, c =>
        {
            Assert.Equal(HttpStatusCode.OK, c.Status);
            Assert.Equal(Enumerable.Range(1, Stored).Select(i => (long)i), c.Seqs);
        });
    }

    [Fact]
    public async Task A_user_holds_at_most_its_channels_at_once_and_renewing_them_takes_no_new_place()
    {
        using var bob = TestCallers.ClientAs(app.BaseAddress, "bob");
        var first = Enumerable.Range(0, 50).Select(i => $"prices.cap{i:D2}").ToArray();
        var more = Enumerable.Range(50, 20).Select(i => $"prices.cap{i:D2}").ToArray();

        using var held = await bob.PostAsJsonAsync("/api/subscriptions", new { channels = first });
        using var renewed = await bob.PostAsJsonAsync("/api/subscriptions", new { channels = first });
        using var over = await bob.PostAsJsonAsync("/api/subscriptions", new { channels = more });
        var problem = await over.Content.ReadFromJsonAsync<JsonElement>();
        using var fits = await bob.PostAsJsonAsync("/api/subscriptions", new { channels = more.Take(ChannelsPerUser - first.Length).ToArray() });

        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        Assert.True(over.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("as many channels", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
    }

    [Fact]
    public async Task A_flood_of_forged_tokens_meets_the_limit_too()
    {
        using var forger = TestCallers.ClientAs(app.BaseAddress, user: null).As("forged.not-a.token");
        // The address's bucket may be empty after another test's flood: start once it answers again.
        await Poll.UntilAsync(async () =>
        {
            using var first = await forger.GetAsync("/api/health");
            return first.StatusCode == HttpStatusCode.Unauthorized ? (bool?)true : null;
        }, TimeSpan.FromSeconds(30));
        // Eight senders, so that the flood outruns the steady rate however slow the machine, until the first refusal:
        // it must come within the address's share (the burst, then the rate for as long as it ran, a second to spare).
        var statuses = new System.Collections.Concurrent.ConcurrentQueue<HttpStatusCode>();
        using var refused = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (!refused.IsCancellationRequested)
            {
                using var response = await forger.GetAsync("/api/health");
                statuses.Enqueue(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    await refused.CancelAsync();
                }
            }
        }));

        var share = SettingDefaults.RequestBurst + (clock.Elapsed.TotalSeconds + 1) * SettingDefaults.RequestsPerSecond;
        Assert.True(statuses.Count(s => s == HttpStatusCode.Unauthorized) <= share, $"{statuses.Count} forged requests in {clock.Elapsed.TotalSeconds:F1} s, the share being {share:F0}");
        Assert.Contains(HttpStatusCode.Unauthorized, statuses);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.All(statuses, status => Assert.True(status is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"{status}"));
    }

    private static async Task<List<(HttpStatusCode Status, int RetryAfter, bool Problem)>> FloodAsync(
        HttpClient client, string channel, int worker, StrongBox<int> refusals, CancellationTokenSource stop)
    {
        var answers = new List<(HttpStatusCode, int, bool)>();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/channels/{channel}/latest");
            // A client that names other addresses is still counted at its own: only the platform's last entry counts.
            request.Headers.Add("X-Forwarded-For", $"10.{worker}.{i % 250}.{i % 200}");
            using var response = await client.SendAsync(request);
            var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
            var retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? (int)delta.TotalSeconds : 0;
            answers.Add((response.StatusCode, retryAfter, problem));
            if (response.StatusCode == HttpStatusCode.TooManyRequests && Interlocked.Increment(ref refusals.Value) >= FloodRefusals)
            {
                await stop.CancelAsync();
            }
        }

        return answers;
    }
}
