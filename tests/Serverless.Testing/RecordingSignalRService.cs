using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serverless.Testing;

/// <summary>
/// An HTTP listener that records the SignalR Service REST calls the function app makes and answers them with the
/// service's success codes (or with what a test asks for). It checks nothing itself: tests check what it recorded.
/// Until the local SignalR Service exists this is how the push path is observed.
/// </summary>
public sealed class RecordingSignalRService : IAsyncDisposable
{
    public const string AccessKey = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly SemaphoreSlim arrived = new(0);

    private RecordingSignalRService(WebApplication app) => this.app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Decides the status of each request; by default the service's success code for the method.</summary>
    public Func<RecordedRequest, int> Respond { get; set; } = DefaultStatus;

    public string ConnectionString => $"Endpoint=http://localhost;Port={Endpoint.Port};AccessKey={AccessKey};Version=1.0;";

    public IReadOnlyList<RecordedRequest> Requests => [.. requests];

    public static async Task<RecordingSignalRService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var service = new RecordingSignalRService(app);
        app.Run(service.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        service.Endpoint = new Uri(address);
        return service;
    }

    public static int DefaultStatus(RecordedRequest request) => request.Method switch
    {
        "POST" => StatusCodes.Status202Accepted,
        _ => StatusCodes.Status200OK,
    };

    /// <summary>The recorded requests whose path starts with <paramref name="pathPrefix"/>.</summary>
    public IReadOnlyList<RecordedRequest> RequestsTo(string pathPrefix) =>
        [.. requests.Where(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal))];

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var request = new RecordedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget,
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.Authorization.ToString(),
            context.Request.ContentType,
            body.ToArray());
        requests.Enqueue(request);
        arrived.Release();
        context.Response.StatusCode = Respond(request);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>One REST call as it reached the listener.</summary>
public sealed record RecordedRequest(string Method, string Path, string RawTarget, string Query, string Authorization, string? ContentType, byte[] Body)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);

    public string BearerToken => Authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? Authorization["Bearer ".Length..] : "";
}
