using System.CommandLine;
using Serverless.Cli.Publish;
using Serverless.Cli.Tail;
using Serverless.Cli.Up;

// dotnet run --project cli -- up --demo | publish … | tail …
var root = new RootCommand("Serverless: run the real-time update pipeline locally, publish updates to it, and watch channels.")
{
    UpCommand.Create(),
    PublishCommand.Create(),
    TailCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
