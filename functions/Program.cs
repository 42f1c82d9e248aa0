using Serverless.Functions;

var app = FunctionApp.Build(args);
await app.RunAsync();
