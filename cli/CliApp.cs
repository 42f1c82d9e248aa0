using System.CommandLine;
using Serverless.Cli.Publish;
using Serverless.Cli.Tail;
using Serverless.Cli.Up;

namespace Serverless.Cli;

/// <summary>The tool's commands: <c>up</c>, <c>publish</c> and <c>tail</c>.</summary>
public static class CliApp
{
    public static RootCommand Create() => new("Serverless: run the real-time update pipeline locally, publish updates to it, and watch channels.")
    {
        UpCommand.Create(),
        PublishCommand.Create(),
        TailCommand.Create(),
    };
}
