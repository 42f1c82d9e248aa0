using Amqp;
using Amqp.Framing;
using Amqp.Sasl;

namespace Serverless.EventHubs.Client;

/// <summary>
/// One AMQP connection to an Event Hubs namespace. With SAS (the default) it connects with SASL ANONYMOUS and puts a
/// token on <c>$cbs</c> for each entity before using it, as the SDKs do; with <c>usePlain</c> it authenticates the whole
/// connection with SASL PLAIN (rule name and key).
/// </summary>
public sealed class EventHubsConnection : IAsyncDisposable
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);
    private readonly Connection connection;
    private readonly Session session;
    private readonly bool authenticated;
    private readonly SemaphoreSlim cbsLock = new(1, 1);
    private readonly HashSet<string> authorized = new(StringComparer.OrdinalIgnoreCase);
    private SenderLink? cbsSender;
    private ReceiverLink? cbsReceiver;
    private string? cbsReplyTo;

    private EventHubsConnection(EventHubsConnectionString settings, Connection connection, bool authenticated)
    {
        Settings = settings;
        this.connection = connection;
        this.authenticated = authenticated;
        session = new Session(connection);
    }

    public EventHubsConnectionString Settings { get; }

    internal Session Session => session;

    /// <param name="saslProfile">The SASL mechanism for token-based connections; ANONYMOUS unless given (the .NET SDK offers MSSBCBS).</param>
    public static async Task<EventHubsConnection> OpenAsync(string connectionString, bool usePlain = false, SaslProfile? saslProfile = null)
    {
        var settings = EventHubsConnectionString.Parse(connectionString);
        var factory = new ConnectionFactory();
        var scheme = settings.UseTls ? "amqps" : "amqp";
        Address address;
        if (usePlain)
        {
            address = new Address(settings.Host, settings.Port, settings.KeyName, settings.Key, "/", scheme);
        }
        else
        {
            factory.SASL.Profile = saslProfile ?? SaslProfile.Anonymous;
            address = new Address(settings.Host, settings.Port, null, null, "/", scheme);
        }

        var connection = await factory.CreateAsync(address);
        return new EventHubsConnection(settings, connection, usePlain);
    }

    /// <summary>Puts a token for the entity on <c>$cbs</c>, once per entity; throws when the namespace refuses it.</summary>
    public async Task AuthorizeAsync(string entityPath)
    {
        if (authenticated)
        {
            return;
        }

        await cbsLock.WaitAsync();
        try
        {
            if (authorized.Contains(entityPath))
            {
                return;
            }

            if (cbsSender is null)
            {
                cbsReplyTo = $"cbs-{Guid.NewGuid():N}";
                cbsSender = new SenderLink(session, $"{cbsReplyTo}-requests", "$cbs");
                cbsReceiver = new ReceiverLink(session, cbsReplyTo, new Attach { Source = new Source { Address = "$cbs" }, Target = new Target { Address = cbsReplyTo } }, null);
                cbsReceiver.SetCredit(10);
            }

            var audience = Settings.Audience(entityPath);
            var request = new Message(SharedAccessSignature.Create(audience, Settings.KeyName, Settings.Key, DateTimeOffset.UtcNow + TokenLifetime))
            {
                Properties = new Properties { MessageId = Guid.NewGuid().ToString(), ReplyTo = cbsReplyTo },
                ApplicationProperties = new ApplicationProperties
                {
                    ["operation"] = "put-token",
                    ["type"] = "servicebus.windows.net:sastoken",
                    ["name"] = audience,
                },
            };
            await cbsSender.SendAsync(request);
            var response = await cbsReceiver!.ReceiveAsync(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException("$cbs did not answer put-token.");
            cbsReceiver.Accept(response);
            var status = Convert.ToInt32(response.ApplicationProperties["status-code"]);
            if (status is not (200 or 202))
            {
                throw new UnauthorizedAccessException($"put-token for {audience} answered {status}: {response.ApplicationProperties["status-description"]}");
            }

            authorized.Add(entityPath);
        }
        finally
        {
            cbsLock.Release();
        }
    }

    /// <summary>The hub's partition ids, from a <c>$management</c> READ.</summary>
    public async Task<IReadOnlyList<string>> GetPartitionIdsAsync(string hub)
    {
        var replyTo = $"management-{Guid.NewGuid():N}";
        var sender = new SenderLink(session, $"{replyTo}-requests", "$management");
        var receiver = new ReceiverLink(session, replyTo, new Attach { Source = new Source { Address = "$management" }, Target = new Target { Address = replyTo } }, null);
        try
        {
            receiver.SetCredit(1);
            var request = new Message
            {
                Properties = new Properties { MessageId = Guid.NewGuid().ToString(), ReplyTo = replyTo },
                ApplicationProperties = new ApplicationProperties
                {
                    ["operation"] = "READ",
                    ["name"] = hub,
                    ["type"] = "com.microsoft:eventhub",
                    ["security_token"] = SharedAccessSignature.Create(Settings.Audience(hub), Settings.KeyName, Settings.Key, DateTimeOffset.UtcNow + TokenLifetime),
                },
            };
            await sender.SendAsync(request);
            var response = await receiver.ReceiveAsync(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException("$management did not answer READ.");
            receiver.Accept(response);
            var status = Convert.ToInt32(response.ApplicationProperties["status-code"]);
            if (status != 200)
            {
                throw new InvalidOperationException($"READ of {hub} answered {status}: {response.ApplicationProperties["status-description"]}");
            }

            return ((string[])((Amqp.Types.Map)response.Body)["partition_ids"]).ToList();
        }
        finally
        {
            await receiver.CloseAsync();
            await sender.CloseAsync();
        }
    }

    public async ValueTask DisposeAsync() => await connection.CloseAsync();
}
