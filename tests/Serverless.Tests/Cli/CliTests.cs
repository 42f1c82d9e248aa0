using Serverless.Local.Publishing;
using Serverless.Testing;
using Serverless.Tests.WebClient;
using Serverless.Tooling;

namespace Serverless.Tests.Cli;

/// <summary>
/// <c>publish</c> and <c>tail</c> as a user runs them, as processes, against the whole local stack: publish sends
/// a file to the local Event Hubs; tail follows the channel through negotiate and the SignalR Service, and after the
/// service goes down and comes back it shows every update once, in order.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class CliTests(LocalStackFixture fixture)
{
    [Fact]
    public async Task Publish_sends_a_file_skipping_bad_lines_and_tail_shows_the_channel_in_order_through_a_reconnect()
    {
        var channel = TestEvents.NewChannel("cli");
        var file = Path.GetTempFileName();
        var lines = Enumerable.Range(1, 5).Select(i => TestEvents.Update(channel, $"p{i}").ToJsonString()).Append("{not json").ToList();
        await File.WriteAllLinesAsync(file, lines);

        var (published, publish) = await CliProcess.RunAsync("publish", "--file", file, "--rate", "0", "--connection", fixture.Stack.EventHubsConnectionString, "--hub", fixture.Stack.EventHubName);

        Assert.Equal(1, published); // a line was skipped
        Assert.Contains("skipped line 6: not JSON", publish.Text);
        await fixture.WaitForHeadAsync(channel, 5);

        // cli.* is no public channel: tail signs in as the local operator.
        await using var tail = CliProcess.Start("tail", channel, "--api", fixture.Stack.HostUrl.ToString(), "--as", TestCallers.Operator);
        await tail.WaitForAsync($"{channel} #5 ");
        await fixture.Stack.StopSignalRAsync();
        await tail.WaitForAsync("connection lost");
        await fixture.PublishAsync(channel, ["q6", "q7", "q8"]);
        await fixture.WaitForHeadAsync(channel, 8);
        await fixture.Stack.StartSignalRAsync();
        await tail.WaitForAsync($"{channel} #8 ");
        await fixture.PublishAsync(channel, ["q9"]);
        await tail.WaitForAsync($"{channel} #9 ");
        tail.Terminate();
        Assert.Equal(0, await tail.WaitForExitAsync());

        var shown = tail.Lines().Where(line => line.Contains($"{channel} #")).ToList();
        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"#{i} "), shown.Select(line => line[line.IndexOf('#')..(line.IndexOf(' ', line.IndexOf('#')) + 1)]));
        // The outage's updates come by catch-up, or by push if a push was still being retried when the service came back.
        Assert.Matches(@"reconnected; caught up [0-3] update\(s\)", tail.Text);
    }

    [Fact]
    public async Task Token_prints_only_a_token_that_the_stack_takes_as_that_user()
    {
        var orders = TestEvents.NewChannel("orders");
        var bobs = TestEvents.NewChannel("users.bob");
        await fixture.PublishAsync(orders, ["o1"]);
        await fixture.PublishAsync(bobs, ["b1"]);
        await fixture.WaitForHeadAsync(orders, 1);
        await fixture.WaitForHeadAsync(bobs, 1);

        var (exit, token) = await CliProcess.RunAsync("token", "--user", "alice", "--role", "orders.reader", "--lifetime", "5m");
        using var api = new HttpClient { BaseAddress = fixture.Stack.HostUrl }.As(token.Output.Trim());
        using var own = await api.GetAsync($"/api/channels/{orders}/updates");
        using var others = await api.GetAsync($"/api/channels/{bobs}/updates");

        Assert.Equal(0, exit);
        Assert.Single(token.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(3, token.Output.Trim().Split('.').Length);
        Assert.Equal(System.Net.HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, others.StatusCode);
    }

    [Fact]
    public async Task Token_refuses_a_lifetime_it_cannot_read()
    {
        var (exit, token) = await CliProcess.RunAsync("token", "--user", "alice", "--lifetime", "forever");

        Assert.Equal(2, exit);
        Assert.Empty(token.Output.Trim());
        Assert.Contains("--lifetime", token.Text);
    }

    [Fact]
    public async Task A_publisher_killed_mid_run_and_started_again_on_its_journal_resends_what_it_never_saw_confirmed()
    {
        var journal = Directory.CreateTempSubdirectory("journal-").FullName;
        try
        {
            string[] Args(params string[] more) => ["publish", "--load", "5", "--journal", journal, "--connection", fixture.Stack.EventHubsConnectionString, "--hub", fixture.Stack.EventHubName, .. more];
            await using (var first = CliProcess.Start(Args("--rate", "200")))
            {
                while (PublishJournal.ReadConfirmed(journal).Count < 100)
                {
                    Assert.False(first.HasExited, first.Text);
                    await Task.Delay(20);
                }

                first.Kill();
                await first.WaitForExitAsync();
            }

            var (exit, second) = await CliProcess.RunAsync(Args("--rate", "0", "--count", "50"));

            Assert.Equal(0, exit);
            var attempted = PublishJournal.ReadAttempted(journal).Select(u => u.Id!).ToHashSet();
            var confirmed = PublishJournal.ReadConfirmed(journal);
            Assert.Equal(attempted.Order(), confirmed.Order());
            // The second run went on with the first run's numbering: one run tag, numbers without a hole.
            var run = File.ReadAllText(Path.Combine(journal, PublishJournal.RunFile)).Trim();
            Assert.Equal(Enumerable.Range(0, confirmed.Count).Select(n => $"{run}-{n}").Order(), confirmed.Order());
        }
        finally
        {
            Directory.Delete(journal, recursive: true);
        }
    }

    [Fact]
    public async Task Publish_without_a_reachable_event_hubs_says_so()
    {
        var (exit, publish) = await CliProcess.RunAsync("publish", "--count", "1", "--connection", $"Endpoint=sb://localhost:{LoopbackPorts.Free()};SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;");

        Assert.Equal(1, exit);
        Assert.Contains("Could not connect to Event Hubs", publish.Text);
    }

    [Fact]
    public async Task Publish_to_a_namespace_that_refuses_the_key_says_so()
    {
        var wrongKey = fixture.Stack.EventHubsConnectionString.Replace("SAS_KEY_VALUE", "not-the-key");

        var (exit, publish) = await CliProcess.RunAsync("publish", "--count", "1", "--connection", wrongKey, "--hub", fixture.Stack.EventHubName);

        Assert.Equal(1, exit);
        Assert.Contains("Could not connect to Event Hubs", publish.Text);
        Assert.Contains("Unauthorized", publish.Text);
    }

    [Fact]
    public async Task Publish_refuses_a_file_that_does_not_exist()
    {
        var (exit, publish) = await CliProcess.RunAsync("publish", "--file", "/no/such/updates.jsonl");

        Assert.Equal(2, exit);
        Assert.Contains("No such file", publish.Text);
    }
}
