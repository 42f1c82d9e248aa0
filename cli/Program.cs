using Serverless.Cli;
using Spectre.Console;

// dotnet run --project cli -- up --demo | publish … | tail … | eventhubs | signalr | host
if (Console.IsOutputRedirected)
{
    // Written to a pipe or a file, a line stays one line (Spectre.Console would wrap it at 80 columns).
    AnsiConsole.Profile.Width = 4096;
}

return await CliApp.Create().Parse(args).InvokeAsync();
