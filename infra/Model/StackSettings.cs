using System.Globalization;
using System.Text.Json;

namespace Serverless.Infra.Model;

/// <summary>
/// A stack's configuration (<c>Pulumi.&lt;stack&gt;.yaml</c>, keys <c>serverless:*</c>), read once and checked as a whole:
/// every wrong value is named in one error, before any resource is touched.
/// </summary>
public sealed record StackSettings
{
    public required HostingPlan Plan { get; init; }
    public int MaximumInstanceCount { get; init; } = 40;
    public int InstanceMemoryMB { get; init; } = 2048;
    public string StorageSku { get; init; } = "Standard_LRS";
    public int EventHubsCapacity { get; init; } = 1;
    public int PartitionCount { get; init; } = 4;
    public int RetentionDays { get; init; } = 1;
    public string SignalRSku { get; init; } = "Free_F1";
    public int SignalRUnits { get; init; } = 1;
    public int LogRetentionDays { get; init; } = 30;

    /// <summary>Origins allowed to call the API and SignalR besides the stack's own web page (e.g. a local dev server).</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>Values for the function app's tunable settings (names as in local.settings.sample.json).</summary>
    public IReadOnlyDictionary<string, string> AppSettings { get; init; } = FunctionAppSettings.TunableDefaults;

    /// <summary>
    /// Microsoft Entra ID: the tenant whose tokens the API takes, the API's application (client) id, and the audience its
    /// tokens carry (the client id unless set: v2 access tokens name it). Required: without them nobody could sign in.
    /// </summary>
    public required EntraSettings Entra { get; init; }

    /// <summary>Object ids of users, groups or service principals that publish: each gets Azure Event Hubs Data Sender on the hub.</summary>
    public IReadOnlyList<string> ProducerPrincipalIds { get; init; } = [];

    public static readonly IReadOnlyList<string> SignalRSkus = ["Free_F1", "Standard_S1", "Premium_P1", "Premium_P2"];
    public static readonly IReadOnlyList<string> PremiumSkus = ["EP1", "EP2", "EP3"];
    public static readonly IReadOnlyList<int> InstanceMemorySizes = [512, 2048, 4096];
    public static readonly IReadOnlyList<string> StorageSkus = ["Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS"];

    /// <summary>The SignalR tier that goes with a SKU name (Free_F1 → Free).</summary>
    public string SignalRTier => SignalRSku.Split('_')[0];

    /// <param name="get">Reads one project key (without the <c>serverless:</c> prefix); null when it is not set.</param>
    public static StackSettings Read(Func<string, string?> get)
    {
        var errors = new List<string>();
        var reader = new Reader(get, errors);

        var plan = reader.OneOf("plan", ["flex", "premium"], "flex") == "premium"
            ? HostingPlan.Premium(reader.OneOf("premiumSku", PremiumSkus, "EP1"))
            : HostingPlan.Flex;

        var settings = new StackSettings
        {
            Plan = plan,
            MaximumInstanceCount = reader.Int("maximumInstanceCount", 40, 1, 1000),
            InstanceMemoryMB = reader.OneOf("instanceMemoryMB", InstanceMemorySizes, 2048),
            StorageSku = reader.OneOf("storageSku", StorageSkus, "Standard_LRS"),
            // Standard namespace: 1–40 throughput units; a hub: 1–32 partitions, 1–7 days (docs/azure-deployment.md#limits-the-stacks-settings-are-checked-against).
            EventHubsCapacity = reader.Int("eventHubsCapacity", 1, 1, 40),
            PartitionCount = reader.Int("partitionCount", 4, 1, 32),
            RetentionDays = reader.Int("retentionDays", 1, 1, 7),
            SignalRSku = reader.OneOf("signalrSku", SignalRSkus, "Free_F1"),
            SignalRUnits = reader.Int("signalrUnits", 1, 1, 100),
            LogRetentionDays = reader.Int("logRetentionDays", 30, 30, 730),
            AllowedOrigins = reader.Origins("allowedOrigins"),
            AppSettings = reader.AppSettings("appSettings"),
            Entra = reader.Entra(),
            ProducerPrincipalIds = reader.Guids("producerPrincipalIds"),
        };

        if (settings.SignalRSku == "Free_F1" && settings.SignalRUnits != 1)
        {
            errors.Add($"serverless:signalrUnits must be 1 with Free_F1 (it is {settings.SignalRUnits}).");
        }

        return errors.Count == 0 ? settings : throw new StackSettingsException(errors);
    }

    private sealed class Reader(Func<string, string?> get, List<string> errors)
    {
        public int Int(string key, int fallback, int min, int max)
        {
            var text = get(key);
            if (text is null)
            {
                return fallback;
            }

            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            errors.Add($"serverless:{key} must be a whole number from {min} to {max} (it is '{text}').");
            return fallback;
        }

        public T OneOf<T>(string key, IReadOnlyList<T> allowed, T fallback)
        {
            var text = get(key);
            if (text is null)
            {
                return fallback;
            }

            foreach (var value in allowed)
            {
                if (string.Equals(Convert.ToString(value, CultureInfo.InvariantCulture), text, StringComparison.OrdinalIgnoreCase))
                {
                    return value;
                }
            }

            errors.Add($"serverless:{key} must be one of {string.Join(", ", allowed)} (it is '{text}').");
            return fallback;
        }

        public EntraSettings Entra()
        {
            var tenant = Guid("tenantId", "the Microsoft Entra tenant (directory) id whose users sign in");
            var client = Guid("apiClientId", "the application (client) id of the API's app registration");
            var audience = get("apiAudience") is { Length: > 0 } given ? given.Trim() : client;
            return new EntraSettings(tenant, client, audience);
        }

        public IReadOnlyList<string> Guids(string key)
        {
            var ids = new List<string>();
            foreach (var text in (get(key) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (System.Guid.TryParse(text, out var id))
                {
                    ids.Add(id.ToString("D"));
                }
                else
                {
                    errors.Add($"serverless:{key}: '{text}' is not an object id (a GUID).");
                }
            }

            return ids;
        }

        private string Guid(string key, string what)
        {
            var text = get(key);
            if (string.IsNullOrWhiteSpace(text))
            {
                errors.Add($"serverless:{key} is missing: {what} (pulumi config set serverless:{key} <guid>; docs/azure-deployment.md#sign-in).");
                return "";
            }

            if (!System.Guid.TryParse(text, out var value))
            {
                errors.Add($"serverless:{key} must be a GUID, {what} (it is '{text}').");
                return "";
            }

            return value.ToString("D");
        }

        public IReadOnlyList<string> Origins(string key)
        {
            var text = get(key);
            if (string.IsNullOrWhiteSpace(text))
            {
                return [];
            }

            var origins = new List<string>();
            foreach (var origin in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (origin == "*" || IsOrigin(origin))
                {
                    origins.Add(origin.TrimEnd('/'));
                }
                else
                {
                    errors.Add($"serverless:{key}: '{origin}' is not an origin (scheme://host[:port], no path) or '*'.");
                }
            }

            return origins;
        }

        public IReadOnlyDictionary<string, string> AppSettings(string key)
        {
            var values = new Dictionary<string, string>(FunctionAppSettings.TunableDefaults);
            var text = get(key);
            if (string.IsNullOrWhiteSpace(text))
            {
                return values;
            }

            Dictionary<string, JsonElement>? given;
            try
            {
                given = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(text);
            }
            catch (JsonException ex)
            {
                errors.Add($"serverless:{key} must be a map of setting names to values: {ex.Message}");
                return values;
            }

            foreach (var (name, value) in given ?? [])
            {
                if (!FunctionAppSettings.TunableDefaults.ContainsKey(name))
                {
                    errors.Add($"serverless:{key}: '{name}' is not a setting a stack may change (one of {string.Join(", ", FunctionAppSettings.TunableDefaults.Keys)}).");
                }
                else
                {
                    values[name] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
                }
            }

            errors.AddRange(TunableSettingsCheck.Errors(values).Select(error => $"serverless:{key}: {error}"));
            return values;
        }

        private static bool IsOrigin(string text) =>
            Uri.TryCreate(text, UriKind.Absolute, out var uri)
            && uri.Scheme is "http" or "https"
            && string.Equals(text.TrimEnd('/'), uri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
    }
}

internal sealed class StackSettingsException(IReadOnlyList<string> errors)
    : Exception("The stack's configuration is not valid:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>The API's sign-in in Microsoft Entra ID (docs/azure-deployment.md#sign-in).</summary>
public sealed record EntraSettings(string TenantId, string ApiClientId, string ApiAudience)
{
    /// <summary>The v2.0 authority the app reads its OpenID Connect metadata from.</summary>
    public string Authority => $"https://login.microsoftonline.com/{TenantId}/v2.0";

    /// <summary>The tenant as MSAL.js takes it (it finds the v2.0 endpoints itself).</summary>
    public string PageAuthority => $"https://login.microsoftonline.com/{TenantId}";

    /// <summary>The scope the page asks tokens for: the API's <c>access_as_user</c> scope under its application id URI.</summary>
    public string PageScope => $"api://{ApiClientId}/access_as_user";
}
