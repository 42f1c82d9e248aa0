using System.CommandLine;
using Serverless.EventHubs;
using Serverless.FunctionsHost;
using Serverless.SignalRService;

namespace Serverless.Cli.Emulators;

/// <summary>
/// <c>eventhubs</c>, <c>signalr</c> and <c>host</c>: one local stand-in on its own, in the foreground, with its own
/// options (which each stand-in reads itself). <c>up</c> runs all of them together.
/// </summary>
internal static class EmulatorCommands
{
    public static IEnumerable<Command> Create() =>
    [
        Passing("eventhubs", "Run the local Event Hubs alone. Options: [--port 5672] [--data folder] [--config eventhubs.json].", EventHubsProgram.RunAsync),
        Passing("signalr", "Run the local SignalR Service alone. Options: [--port 8888] [--host address] [--tier Free|Standard|Premium] [--units N].", SignalRServiceProgram.RunAsync),
        Passing("host", "Run the Functions host stand-in alone on an isolated-worker app's output. Options: --script-root folder [--port 7071].", FunctionsHostProgram.RunAsync),
    ];

    private static Command Passing(string name, string description, Func<string[], CancellationToken, Task<int>> run)
    {
        var command = new Command(name, description) { TreatUnmatchedTokensAsErrors = false };
        command.SetAction((result, cancellationToken) => run([.. result.UnmatchedTokens], cancellationToken));
        return command;
    }
}
