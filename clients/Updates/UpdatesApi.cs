using System.Net.Http.Json;
using System.Text.Json;
using Serverless.Contracts.Api;

namespace Serverless.Updates.Client;

/// <summary>The function app's HTTP API (<see cref="ApiRoutes"/>), read into the contract's records.</summary>
public static class UpdatesApi
{
    /// <summary>The API's JSON: camelCase names, as the function app writes them.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    public static UpdatesPageReader PageReader(HttpClient functionApp) =>
        (channel, after, limit) => ReadPageAsync(functionApp, channel, after, limit);

    public static LatestReader LatestReader(HttpClient functionApp) =>
        channel => ReadLatestAsync(functionApp, channel);

    public static Task<UpdatesPage> ReadPageAsync(HttpClient functionApp, string channel, long after, int limit, CancellationToken cancellationToken = default) =>
        SendAsync<UpdatesPage>(functionApp, () => new HttpRequestMessage(HttpMethod.Get, ApiRoutes.Updates(channel, after, limit)), cancellationToken);

    /// <summary>A channel's whole log, page by page.</summary>
    public static async Task<List<UpdateItem>> ReadLogAsync(HttpClient functionApp, string channel, CancellationToken cancellationToken = default)
    {
        var log = new List<UpdateItem>();
        while (true)
        {
            var page = await ReadPageAsync(functionApp, channel, log.Count, UpdatesPage.MaxLimit, cancellationToken);
            log.AddRange(page.Updates);
            if (page.Updates.Count == 0 || log.Count >= page.Head)
            {
                return log;
            }
        }
    }

    /// <summary>A page of the latest values, in key order from after <paramref name="after"/>.</summary>
    public static Task<LatestValuesPage> ReadLatestAsync(HttpClient functionApp, string channel, string? after = null, int limit = LatestValuesPage.MaxLimit, CancellationToken cancellationToken = default) =>
        SendAsync<LatestValuesPage>(functionApp, () => new HttpRequestMessage(HttpMethod.Get, ApiRoutes.Latest(channel, after, limit)), cancellationToken);

    public static Task<ChannelList> ListChannelsAsync(HttpClient functionApp, string prefix = "", string? after = null, int limit = ChannelList.MaxLimit, CancellationToken cancellationToken = default) =>
        SendAsync<ChannelList>(functionApp, () => new HttpRequestMessage(HttpMethod.Get, ApiRoutes.ChannelsPage(prefix, after, limit)), cancellationToken);

    /// <summary>
    /// Joins <paramref name="userId"/> (the caller's own user, or the anonymous id negotiate answered) to the channels'
    /// groups, <see cref="SubscribeRequest.MaxChannels"/> at a time.
    /// </summary>
    public static async Task<SubscribeResponse> SubscribeAsync(HttpClient functionApp, string? userId, IReadOnlyList<string> channels, CancellationToken cancellationToken = default)
    {
        var answers = new List<SubscribeResponse>();
        foreach (var chunk in channels.Distinct().Chunk(SubscribeRequest.MaxChannels))
        {
            answers.Add(await SendAsync<SubscribeResponse>(functionApp, () => new HttpRequestMessage(HttpMethod.Post, ApiRoutes.Subscriptions)
            {
                Content = JsonContent.Create(new SubscribeRequest(userId, chunk), options: Json),
            }, cancellationToken));
        }

        return new SubscribeResponse(answers[0].UserId, [.. answers.SelectMany(a => a.Channels)], answers.Min(a => a.ExpiresInSeconds));
    }

    // 429s waited out (for their Retry-After) before a call fails.
    private const int MaxWaits = 5;

    /// <summary>
    /// Sends the request <paramref name="request"/> makes and reads the answer; an error answer (problem details) becomes
    /// an exception with its status and text. An answer 429 is waited out for its <c>Retry-After</c> and the request made
    /// and sent again, a few times.
    /// </summary>
    private static async Task<T> SendAsync<T>(HttpClient functionApp, Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        for (var waits = 0; ; waits++)
        {
            using var sent = request();
            using var response = await functionApp.SendAsync(sent, cancellationToken);
            if (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests && waits < MaxWaits)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), cancellationToken);
                continue;
            }

            if ((int)response.StatusCode == HistoryTrimmed.Status)
            {
                using var gone = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                throw new HistoryTrimmedException($"{sent.Method} {sent.RequestUri}", gone.RootElement.GetProperty(HistoryTrimmed.FirstRetainedProperty).GetInt64());
            }

            if (!response.IsSuccessStatusCode)
            {
                var problem = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new HttpRequestException($"{sent.Method} {sent.RequestUri} answered {(int)response.StatusCode}: {problem}", null, response.StatusCode);
            }

            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                ?? throw new HttpRequestException($"{sent.Method} {sent.RequestUri} answered with an empty body.");
        }
    }
}
