using Serverless.FunctionsHost;

// dotnet run --project emulators/FunctionsHost -- --app functions/bin/Debug/net10.0 [--port 7071] [--settings FILE] [--handler URL]
string? appFolder = null, settingsFile = null;
Uri? handler = null;
var port = FunctionsHostOptions.DefaultPort;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--app": appFolder = args[i + 1]; break;
        case "--port": port = int.Parse(args[i + 1]); break;
        case "--settings": settingsFile = args[i + 1]; break;
        case "--handler": handler = new Uri(args[i + 1]); break;
        default: Console.Error.WriteLine($"Unknown option {args[i]}. Options: --app FOLDER, --port N, --settings FILE, --handler URL."); return 2;
    }
}

if (appFolder is null)
{
    Console.Error.WriteLine("--app FOLDER is required: the function app's folder with host.json (its build or publish output).");
    return 2;
}

settingsFile ??= Path.Combine(appFolder, "local.settings.json");
var (settings, cors) = File.Exists(settingsFile) ? FunctionsHostOptions.ReadSettingsFile(settingsFile) : ([], null);
var app = FunctionsHostApp.Build(new FunctionsHostOptions(appFolder, port, settings, cors, handler));
await FunctionsHostApp.StartAsync(app);
Console.WriteLine($"Functions host stand-in on http://127.0.0.1:{port} for {Path.GetFullPath(appFolder)}");
await app.WaitForShutdownAsync();
await app.DisposeAsync();
return 0;
