using System.Net.Http.Headers;
using System.Net.Http.Json;
using Serverless.Testing;

namespace Serverless.Tests.SignalRService;

/// <summary>Calls the local SignalR Service's REST API as an app server would, with a token of the test's choosing.</summary>
public sealed class ServiceRest(SignalRServiceServer service) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = service.Endpoint };

    /// <summary>A valid token for <paramref name="pathAndQuery"/>: the documented audience, the URL without its query.</summary>
    public string TokenFor(string pathAndQuery) =>
        Jwt.Create(service.AccessKey, $"http://localhost{pathAndQuery.Split('?')[0]}", DateTimeOffset.UtcNow.AddMinutes(5));

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, object? body = null, string? token = null)
    {
        var request = new HttpRequestMessage(method, pathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? TokenFor(pathAndQuery));
        if (body is HttpContent content)
        {
            request.Content = content;
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await http.SendAsync(request);
    }

    public async Task<int> StatusAsync(HttpMethod method, string pathAndQuery, object? body = null, string? token = null)
    {
        using var response = await SendAsync(method, pathAndQuery, body, token);
        return (int)response.StatusCode;
    }

    /// <summary>Sends <paramref name="marker"/> to one connection; when it arrives, everything sent to it before has arrived too.</summary>
    public Task<int> SendToConnectionAsync(string connectionId, string target, object argument) =>
        StatusAsync(HttpMethod.Post, $"/api/hubs/updates/connections/{connectionId}/:send?api-version=2022-06-01", new { target, arguments = new[] { argument } });

    public void Dispose() => http.Dispose();
}
