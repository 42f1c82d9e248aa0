using System.Net.Http.Json;
using Serverless.Contracts.Api;

namespace Serverless.Updates.Client;

/// <summary>
/// Keeps the SignalR user id the function app's negotiate answered (<see cref="NegotiateResponse.UserId"/>) as the
/// SignalR client follows the redirect, on every (re)connect: an anonymous caller's subscriptions must name it, and it
/// is new after each negotiate (docs/identity.md#connections-belong-to-users).
/// </summary>
internal sealed class NegotiatedUser
{
    public string? UserId { get; private set; }

    /// <summary>A handler over the SignalR client's own, for each connection it makes (a handler serves one connection).</summary>
    public DelegatingHandler Observe(HttpMessageHandler inner) => new Observer(this) { InnerHandler = inner };

    private sealed class Observer(NegotiatedUser user) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode && request.RequestUri?.AbsolutePath.EndsWith("/" + ApiRoutes.Negotiate, StringComparison.Ordinal) == true)
            {
                // Buffered, so that the SignalR client still reads the body after this.
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                try
                {
                    if (await response.Content.ReadFromJsonAsync<NegotiateResponse>(UpdatesApi.Json, cancellationToken) is { UserId.Length: > 0 } answer)
                    {
                        user.UserId = answer.UserId;
                    }
                }
                catch (System.Text.Json.JsonException)
                {
                    // Not the function app's answer (the service's own negotiate has no user id): nothing to keep.
                }
            }

            return response;
        }
    }
}
