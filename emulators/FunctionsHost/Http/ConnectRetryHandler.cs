using System.Net.Sockets;

namespace Serverless.FunctionsHost.Http;

/// <summary>
/// Retries a forwarded request whose connection to the worker was refused: the worker reports itself ready before its
/// ASP.NET Core server takes connections, so the first requests can meet a closed port. Nothing was sent when a
/// connection is refused, so sending again is safe. Up to 10 tries, 50 ms growing to 250 ms apart, as the Azure host does.
/// </summary>
internal sealed class ConnectRetryHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private const int MaxAttempts = 10;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException ex) when (attempt < MaxAttempts && ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250, 50 * attempt)), cancellationToken);
            }
        }
    }
}
