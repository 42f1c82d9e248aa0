using System.Diagnostics;
using System.Net.Sockets;

namespace Serverless.FunctionsHost;

/// <summary>
/// Starts the custom handler as the Functions host does: its executable from <c>host.json</c>, in the app folder,
/// with the app settings and <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> in its environment; it is ready when <c>GET /</c>
/// gets any answer (AZURE-CONTRACTS §1.1).
/// </summary>
public sealed partial class CustomHandlerProcess(FunctionAppDefinition app, FunctionsHostOptions options, ILogger<CustomHandlerProcess> logger) : IAsyncDisposable
{
    private Process? process;

    public Uri BaseAddress { get; private set; } = null!;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.HandlerUrl is { } running)
        {
            BaseAddress = running;
            await WaitUntilReadyAsync(cancellationToken);
            LogAttached(running);
            return;
        }

        var port = FreePort();
        var executable = Path.Combine(app.Root, app.ExecutablePath);
        var start = new ProcessStartInfo(File.Exists(executable) ? executable : app.ExecutablePath)
        {
            WorkingDirectory = Path.Combine(app.Root, app.WorkingDirectory),
            UseShellExecute = false,
        };
        foreach (var argument in app.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in options.Settings)
        {
            start.Environment[name] = value;
        }

        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString();
        start.Environment["FUNCTIONS_APP_ROOT_PATH"] = app.Root;
        process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        await WaitUntilReadyAsync(cancellationToken);
        LogStarted(executable, port);
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process is { HasExited: true })
            {
                throw new InvalidOperationException($"The custom handler exited with {process.ExitCode} before it answered.");
            }

            try
            {
                using var response = await http.GetAsync(BaseAddress, cancellationToken);
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, cancellationToken);
            }
        }

        throw new TimeoutException("The custom handler did not answer GET / within 60 s.");
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        var running = Interlocked.Exchange(ref process, null);
        if (running is null)
        {
            return;
        }

        if (!running.HasExited)
        {
            running.Kill(entireProcessTree: true);
            await running.WaitForExitAsync();
        }

        running.Dispose();
    }

    [LoggerMessage(EventId = 2, EventName = "HandlerAttached", Level = LogLevel.Information, Message = "Attached to the custom handler at {Url}")]
    private partial void LogAttached(Uri url);

    [LoggerMessage(EventId = 1, EventName = "HandlerStarted", Level = LogLevel.Information, Message = "Custom handler {Executable} answers on port {Port}")]
    private partial void LogStarted(string executable, int port);
}
