using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Serverless.Pipeline.Settings;

namespace Serverless.Pipeline.Push;

/// <summary>
/// Calls the SignalR Service data-plane REST API with a short-lived AccessKey JWT per request. Transient failures
/// (network, 429, 5xx) are tried again a few times with a short back-off.
/// </summary>
public sealed class SignalRRestClient(HttpClient http, IOptions<SignalROptions> options, TimeProvider time)
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(5);
    private readonly SignalRConnectionString connection = options.Value.Connection;
    private readonly int attempts = options.Value.PushAttempts;

    public string Hub => options.Value.HubName;

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Func<HttpContent?> content, CancellationToken cancellationToken) =>
        SendAsync(method, path, content, attempts, cancellationToken);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Func<HttpContent?> content, int maxAttempts, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var response = await http.SendAsync(CreateRequest(method, path, content()), cancellationToken);
                if (attempt >= maxAttempts || !IsTransient(response.StatusCode))
                {
                    return response;
                }

                response.Dispose();
            }
            catch (HttpRequestException) when (attempt < maxAttempts)
            {
            }
            catch (TaskCanceledException) when (attempt < maxAttempts && !cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * (1 << (attempt - 1))), time, cancellationToken);
        }
    }

    private HttpRequestMessage CreateRequest(HttpMethod method, string path, HttpContent? content)
    {
        var url = new Uri(connection.Endpoint, $"{path}{(path.Contains('?') ? '&' : '?')}api-version={SignalRRoutes.ApiVersion}");
        var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
            ServiceJwt.Create(connection.AccessKey, Audience(url), time.GetUtcNow(), TokenLifetime));
        return request;
    }

    /// <summary>
    /// The documented REST audience: the request URL without query string (docs/signalr-service.md#tokens), and like the SDK
    /// without a port, which the service's public endpoint never has.
    /// </summary>
    public static string Audience(Uri url) => $"{url.Scheme}://{url.Host}{url.AbsolutePath}";

    private static bool IsTransient(HttpStatusCode status) =>
        status == HttpStatusCode.TooManyRequests || (int)status >= 500;
}
