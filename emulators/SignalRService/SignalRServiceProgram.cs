using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Serverless.SignalRService;

/// <summary>The local SignalR Service on its own, as <c>serverless signalr [--port N] [--host address]</c> runs it.</summary>
public static class SignalRServiceProgram
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        ServiceOptions options;
        try
        {
            options = ServiceOptions.FromArgs(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }

        var app = SignalRServiceApp.Build(options);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"Could not listen on {options.Host}:{options.Port}: {ex.Message}");
            return 1;
        }

        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        Console.WriteLine($"Local SignalR Service (serverless mode) on {address}");
        Console.WriteLine($"Connection string: {options.ConnectionString(address.Port)}");
        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}
