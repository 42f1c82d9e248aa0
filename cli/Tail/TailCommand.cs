using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Serverless.Contracts.Local;
using Serverless.Contracts.Api;
using Serverless.Cli.Token;
using Serverless.Updates.Client;
using Spectre.Console;

namespace Serverless.Cli.Tail;

/// <summary>
/// <c>tail</c>: follows channels from the terminal as a web page does: negotiate through the function app, subscribe,
/// catch up, print updates in sequence order, and after a reconnect subscribe again and catch up what was missed.
/// </summary>
internal static class TailCommand
{
    private static readonly string LocalApi = $"http://127.0.0.1:{LocalPorts.FunctionsHost}/";

    public static Command Create()
    {
        var channels = new Argument<string[]>("channels") { Description = "Channels to follow (default: every channel the function app knows).", Arity = ArgumentArity.ZeroOrMore };
        var api = new Option<string>("--api") { Description = "The function app's base URL.", DefaultValueFactory = _ => LocalApi };
        var transport = new Option<HttpTransportType>("--transport") { Description = "WebSockets, ServerSentEvents or LongPolling.", DefaultValueFactory = _ => HttpTransportType.WebSockets };
        var onlyNew = new Option<bool>("--new") { Description = "Show only updates stored from now on, not the channels' history." };
        var asUser = new Option<string?>("--as") { Description = $"Call as a local user (alice, bob, operator), with a token of the local development issuer; otherwise as the bearer token in ${CallerToken.EnvironmentVariable}, or anonymously." };
        var command = new Command("tail", "Follow channels through negotiate and SignalR, with catch-up after a reconnect.")
        {
            channels, api, transport, onlyNew, asUser,
        };

        command.SetAction(async (result, cancellationToken) =>
        {
            if (!Uri.TryCreate(result.GetValue(api), UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
            {
                AnsiConsole.MarkupLine($"[red]--api must be an http(s) URL[/], such as {LocalApi} (got '{Markup.Escape(result.GetValue(api) ?? "")}').");
                return 2;
            }

            using var http = new HttpClient { BaseAddress = baseAddress };
            if (CallerToken.Apply(http, result.GetValue(asUser)) is { } problem)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(problem)}[/]");
                return 2;
            }

            try
            {
                var names = result.GetValue(channels) is { Length: > 0 } given ? given : await KnownChannelsAsync(http, cancellationToken);
                if (names.Length == 0)
                {
                    AnsiConsole.MarkupLine("[yellow]The function app knows no channels yet.[/] Name some: tail prices.EURUSD orders.eu");
                    return 2;
                }

                await FollowAsync(http, names, result.GetValue(transport), result.GetValue(onlyNew), cancellationToken);
                return 0;
            }
            catch (OperationCanceledException)
            {
                return 0;
            }
            catch (HttpRequestException ex)
            {
                AnsiConsole.MarkupLine($"[red]The function app at {http.BaseAddress} answered:[/] {Markup.Escape(ex.Message)}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>Every channel the caller may follow, page by page.</summary>
    private static async Task<string[]> KnownChannelsAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        string? after = null;
        do
        {
            var page = await UpdatesApi.ListChannelsAsync(http, after: after, cancellationToken: cancellationToken);
            names.AddRange(page.Channels.Select(c => c.Channel));
            after = page.Next;
        }
        while (after is not null);
        return [.. names];
    }

    private static async Task FollowAsync(HttpClient http, string[] channels, HttpTransportType transport, bool onlyNew, CancellationToken cancellationToken)
    {
        var followers = channels.ToDictionary(c => c, c => new ChannelFollower(http, c, (update, recovered) => Print(c, update, recovered), keepHistory: false));
        await using var client = await UpdatesClient.ConnectAsync(http, transport, configure: builder => builder.WithAutomaticReconnect(new RetryForever()));
        client.RenewalFailed += error => AnsiConsole.MarkupLine($"[yellow]could not renew the subscriptions[/] ({Markup.Escape(error.Message)}); their pushes stop when they lapse.");
        client.Connection.Reconnecting += error =>
        {
            AnsiConsole.MarkupLine($"[yellow]connection lost[/] ({Markup.Escape(error?.Message ?? "closed")}); reconnecting…");
            return Task.CompletedTask;
        };
        client.Connection.Reconnected += async _ =>
        {
            var before = followers.Values.Sum(f => f.Recovered);
            // A new connection is in no group: subscribe again, until it works or the connection is gone.
            while (client.Connection.State == HubConnectionState.Connected && !cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await SubscribeAsync(client, followers, skip: false);
                    AnsiConsole.MarkupLine($"[green]reconnected[/]; caught up {followers.Values.Sum(f => f.Recovered) - before} update(s).");
                    return;
                }
                catch (HttpRequestException ex)
                {
                    AnsiConsole.MarkupLine($"[yellow]could not subscribe again[/] ({Markup.Escape(ex.Message)}); retrying in 2 s…");
                    await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                }
            }
        };

        await SubscribeAsync(client, followers, onlyNew);
        AnsiConsole.MarkupLine($"Following {string.Join(", ", channels.Select(Markup.Escape))} over {transport}. Ctrl+C to stop.");
        await foreach (var message in client.Messages.ReadAllAsync(cancellationToken))
        {
            if (followers.TryGetValue(message.Channel, out var follower))
            {
                await follower.ApplyAsync(message);
            }
        }
    }

    private static async Task SubscribeAsync(UpdatesClient client, Dictionary<string, ChannelFollower> followers, bool skip)
    {
        var answer = await client.SubscribeAsync([.. followers.Keys]);
        foreach (var position in answer.Channels)
        {
            var follower = followers[position.Channel];
            await (skip ? follower.StartAsync(position.Epoch, position.Head, position.Head) : follower.CatchUpAsync(position.Epoch, position.Head));
        }
    }

    private static void Print(string channel, UpdateItem update, bool recovered)
    {
        var mark = recovered ? " [grey](caught up)[/]" : "";
        AnsiConsole.MarkupLine($"[grey]{DateTime.Now:HH:mm:ss.fff}[/] [bold]{Markup.Escape(channel)}[/] #{update.Seq} [aqua]{Markup.Escape(update.Key ?? "")}[/] {Markup.Escape(update.Data.GetRawText())}{mark}");
    }

    /// <summary>A terminal that follows channels keeps trying: 0 s, 1 s, 2 s, 4 s, then every 10 s.</summary>
    private sealed class RetryForever : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) =>
            TimeSpan.FromSeconds(Math.Min(10, retryContext.PreviousRetryCount == 0 ? 0 : Math.Pow(2, retryContext.PreviousRetryCount - 1)));
    }
}
