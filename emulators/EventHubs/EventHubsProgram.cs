namespace Serverless.EventHubs;

/// <summary>The local Event Hubs on its own, as <c>serverless eventhubs [--port N] [--data folder] [--config file]</c> runs it.</summary>
public static class EventHubsProgram
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        EventHubsOptions options;
        try
        {
            options = EventHubsOptions.FromArgs(args);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }

        using var host = EventHubsApp.Build(options);
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }

        Console.WriteLine($"Local Event Hubs on amqp://localhost:{options.Port}, data in {Path.GetFullPath(options.DataFolder)}");
        Console.WriteLine($"Connection string: {options.ConnectionString(options.Port)}");
        await host.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}
