using System.CommandLine;
using Serverless.Cli.Demo;
using Serverless.Cli.Emulators;
using Serverless.Cli.Publish;
using Serverless.Cli.Tail;
using Serverless.Cli.Token;
using Serverless.Cli.Up;
using Serverless.Cli.Web;

namespace Serverless.Cli;

/// <summary>The tool's commands: <c>up</c>, <c>publish</c>, <c>tail</c>, <c>token</c>, and each local part alone (the stand-ins, the web client, the demo feed).</summary>
internal static class CliApp
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Serverless: run the real-time update pipeline locally, publish updates to it, and watch channels.")
        {
            UpCommand.Create(),
            PublishCommand.Create(),
            TailCommand.Create(),
            TokenCommand.Create(),
            DemoCommand.Create(),
            WebCommand.Create(),
        };
        foreach (var emulator in EmulatorCommands.Create())
        {
            root.Subcommands.Add(emulator);
        }

        return root;
    }
}
