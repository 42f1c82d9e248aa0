using Serverless.Cli;

// dotnet run --project cli -- up --demo | publish … | tail …
return await CliApp.Create().Parse(args).InvokeAsync();
