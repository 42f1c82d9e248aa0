using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Contracts.Settings;
using Serverless.Pipeline.Retention;
using Serverless.Pipeline.Settings;
using Serverless.Pipeline.Storage;

namespace Serverless.Testing;

/// <summary>The app's compaction (docs/retention.md) on a storage account, with chosen retention and clock.</summary>
public static class TestCompactor
{
    public static Compactor For(string storageConnectionString, RetentionOptions retention, TimeProvider? time = null)
    {
        var storage = new StorageOptions();
        StorageOptions.Bind(storage, new ConfigurationBuilder()
            .AddInMemoryCollection([new(SettingNames.ConfigurationKey(SettingNames.Storage), storageConnectionString)]).Build());
        return new Compactor(new StorageTables(Options.Create(storage)), Options.Create(retention), time ?? TimeProvider.System, NullLogger<Compactor>.Instance);
    }
}
