using System.CommandLine;
using System.Text;
using Serverless.Cli;
using Serverless.Testing;
using Serverless.Tests.Browser;
using Spectre.Console;

namespace Serverless.Tests.Cli;

/// <summary>
/// <c>publish</c> and <c>tail</c> as a user runs them, in this process, against the whole local stack: publish sends
/// a file to the local Event Hubs; tail follows the channel through negotiate and the SignalR Service, and after the
/// service goes down and comes back it shows every update once, in order.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class CliTests(LocalStackFixture fixture) : IDisposable
{
    private readonly CapturedConsole output = new();

    [Fact]
    public async Task Publish_sends_a_file_skipping_bad_lines_and_tail_shows_the_channel_in_order_through_a_reconnect()
    {
        var channel = TestEvents.NewChannel("cli");
        var file = Path.GetTempFileName();
        var lines = Enumerable.Range(1, 5).Select(i => TestEvents.Update(channel, $"p{i}").ToJsonString()).Append("{not json").ToList();
        await File.WriteAllLinesAsync(file, lines);

        var published = await RunAsync(["publish", "--file", file, "--rate", "0", "--connection", fixture.Stack.EventHubsConnectionString, "--hub", fixture.Stack.EventHubName]);

        Assert.Equal(1, published); // a line was skipped
        Assert.Contains("skipped line 6: not JSON", output.Text);
        await fixture.WaitForHeadAsync(channel, 5);

        using var stop = new CancellationTokenSource();
        var tail = RunAsync(["tail", channel, "--api", fixture.Stack.HostUrl.ToString()], stop.Token);
        await output.WaitForAsync($"{channel} #5 ", tail);
        await fixture.Stack.StopSignalRAsync();
        await output.WaitForAsync("connection lost", tail);
        await fixture.PublishAsync(channel, ["q6", "q7", "q8"]);
        await fixture.WaitForHeadAsync(channel, 8);
        await fixture.Stack.StartSignalRAsync();
        await output.WaitForAsync($"{channel} #8 ", tail);
        await fixture.PublishAsync(channel, ["q9"]);
        await output.WaitForAsync($"{channel} #9 ", tail);
        stop.Cancel();
        Assert.Equal(0, await tail);

        var shown = output.Lines.Where(line => line.Contains($"{channel} #")).ToList();
        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"#{i} "), shown.Select(line => line[line.IndexOf('#')..(line.IndexOf(' ', line.IndexOf('#')) + 1)]));
        // The outage's updates come by catch-up, or by push if a push was still being retried when the service came back.
        Assert.Matches(@"reconnected; caught up [0-3] update\(s\)", output.Text);
    }

    [Fact]
    public async Task Publish_without_a_reachable_event_hubs_says_so()
    {
        var exit = await RunAsync(["publish", "--count", "1", "--connection", $"Endpoint=sb://localhost:{FreePort.Next()};SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;"]);

        Assert.Equal(1, exit);
        Assert.Contains("Could not connect to Event Hubs", output.Text);
    }

    [Fact]
    public async Task Publish_to_a_namespace_that_refuses_the_key_says_so()
    {
        var wrongKey = fixture.Stack.EventHubsConnectionString.Replace("SAS_KEY_VALUE", "not-the-key");

        var exit = await RunAsync(["publish", "--count", "1", "--connection", wrongKey, "--hub", fixture.Stack.EventHubName]);

        Assert.Equal(1, exit);
        Assert.Contains("Could not connect to Event Hubs", output.Text);
        Assert.Contains("Unauthorized", output.Text);
    }

    [Fact]
    public async Task Publish_refuses_a_file_that_does_not_exist()
    {
        var exit = await RunAsync(["publish", "--file", "/no/such/updates.jsonl"]);

        Assert.Equal(2, exit);
        Assert.Contains("No such file", output.Text);
    }

    private Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default) =>
        Task.Run(() => CliApp.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, cancellationToken));

    public void Dispose() => output.Dispose();

    /// <summary>Spectre.Console's output, captured while the test runs (plain text, wide lines).</summary>
    private sealed class CapturedConsole : IDisposable
    {
        private readonly StringBuilder text = new();
        private readonly IAnsiConsole previous = AnsiConsole.Console;

        public CapturedConsole()
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(TextWriter.Synchronized(new Writer(text))),
            });
            console.Profile.Width = 1000;
            AnsiConsole.Console = console;
        }

        public string Text
        {
            get
            {
                lock (text)
                {
                    return text.ToString();
                }
            }
        }

        public string[] Lines => Text.Split('\n', StringSplitOptions.TrimEntries);

        /// <summary>Waits until the output holds <paramref name="expected"/>, while <paramref name="command"/> runs.</summary>
        public async Task WaitForAsync(string expected, Task<int> command)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (!Text.Contains(expected))
            {
                if (command.IsCompleted)
                {
                    throw new InvalidOperationException($"The command ended ({(command.IsFaulted ? command.Exception!.InnerException : command.Result)}) before '{expected}' showed. Output:\n{Text}");
                }

                try
                {
                    await Task.Delay(50, timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"'{expected}' did not show within 60 s. Output:\n{Text}");
                }
            }
        }

        public void Dispose() => AnsiConsole.Console = previous;

        private sealed class Writer(StringBuilder text) : StringWriter
        {
            public override void Write(char value)
            {
                lock (text)
                {
                    text.Append(value);
                }
            }

            public override void Write(string? value)
            {
                lock (text)
                {
                    text.Append(value);
                }
            }
        }
    }
}
