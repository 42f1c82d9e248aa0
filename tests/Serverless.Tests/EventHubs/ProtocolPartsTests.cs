using System.Buffers.Binary;
using System.Text;
using Serverless.EventHubs.Amqp;
using Serverless.EventHubs.Storage;

namespace Serverless.Tests.EventHubs;

/// <summary>
/// The pieces of the local Event Hubs the SDKs do not reach on their own: every filter form, SAS audiences, SASL PLAIN,
/// torn logs, retention.
/// </summary>
public sealed class ProtocolPartsTests
{
    [Fact]
    public async Task A_connection_authenticated_with_sasl_plain_needs_no_token()
    {
        await using var server = await Serverless.Testing.EventHubsServer.StartAsync(new Serverless.EventHubs.HubOptions { Name = "updates", Partitions = 2 });

        // Plain AMQP: the rule name and key as SASL PLAIN credentials, then a sender straight to a partition.
        var connection = await new Amqp.ConnectionFactory().CreateAsync(new Amqp.Address("localhost", server.Port, "RootManageSharedAccessKey", "SAS_KEY_VALUE", "/", "amqp"));
        try
        {
            var sender = new Amqp.SenderLink(new Amqp.Session(connection), "plain", "updates/Partitions/1");
            await sender.SendAsync(new Amqp.Message { BodySection = new Amqp.Framing.Data { Binary = Encoding.UTF8.GetBytes("plain") } });
        }
        finally
        {
            await connection.CloseAsync();
        }

        await using var receiver = new Azure.Messaging.EventHubs.Primitives.PartitionReceiver("$Default", "1", Azure.Messaging.EventHubs.Consumer.EventPosition.Earliest, server.ConnectionString, "updates");
        var read = await receiver.ReceiveBatchAsync(1, TimeSpan.FromSeconds(10));

        Assert.Equal("plain", read.Single().EventBody.ToString());
    }

    [Theory]
    [InlineData("amqp.annotation.x-opt-offset > '-1'", StartKind.Earliest, 0, false)]
    [InlineData("amqp.annotation.x-opt-offset > -1", StartKind.Earliest, 0, false)]
    [InlineData("amqp.annotation.x-opt-offset > '@latest'", StartKind.Latest, 0, false)]
    [InlineData("amqp.annotation.x-opt-offset >= 4096", StartKind.Offset, 4096, true)]
    [InlineData("amqp.annotation.x-opt-offset > '4096'", StartKind.Offset, 4096, false)]
    [InlineData("amqp.annotation.x-opt-sequence-number >= 42", StartKind.Sequence, 42, true)]
    [InlineData("amqp.annotation.x-opt-sequence-number > '42'", StartKind.Sequence, 42, false)]
    [InlineData("amqp.annotation.x-opt-enqueued-time > 1700000000000", StartKind.EnqueuedTime, 1700000000000, false)]
    [InlineData("amqp.annotation.x-opt-enqueued-time > '1700000000000'", StartKind.EnqueuedTime, 1700000000000, false)]
    public void Start_filters_are_read_quoted_and_unquoted(string expression, StartKind kind, long value, bool inclusive)
    {
        var position = StartPositionFilter.ParseExpression(expression);

        Assert.Equal(kind, position.Kind);
        if (kind is not (StartKind.Earliest or StartKind.Latest))
        {
            Assert.Equal((value, inclusive), (position.Value, position.Inclusive));
        }
    }

    [Fact]
    public void A_filter_that_is_not_a_start_position_is_refused() =>
        Assert.Throws<FormatException>(() => StartPositionFilter.ParseExpression("amqp.annotation.x-opt-offset < 5"));

    [Theory]
    [InlineData("sb://localhost/updates", "sb://localhost/updates/ConsumerGroups/$Default/Partitions/0", true)]
    [InlineData("amqps://localhost/updates", "amqps://localhost/updates/Partitions/1", true)]
    [InlineData("sb://localhost/", "sb://localhost/updates", true)]
    [InlineData("sb://localhost/updates", "sb://localhost/updates2", false)]
    [InlineData("sb://localhost/other", "sb://localhost/updates", false)]
    public void A_sas_token_grants_its_resource_and_what_is_under_it(string resource, string audience, bool granted)
    {
        var token = Sas(resource, "RootManageSharedAccessKey", "SAS_KEY_VALUE", DateTimeOffset.UtcNow.AddHours(1));

        var grant = SasToken.Validate(token, "RootManageSharedAccessKey", "SAS_KEY_VALUE", DateTimeOffset.UtcNow);

        Assert.Equal(granted, grant.Covers(SasToken.EntityPath(audience)));
    }

    [Theory]
    [InlineData("wrong-key", "RootManageSharedAccessKey", 60, "signature")]
    [InlineData("SAS_KEY_VALUE", "SomeOtherRule", 60, "no key named")]
    [InlineData("SAS_KEY_VALUE", "RootManageSharedAccessKey", -60, "expired")]
    public void A_sas_token_with_a_wrong_key_rule_or_expiry_is_refused(string key, string keyName, int seconds, string reason)
    {
        var token = Sas("sb://localhost/updates", keyName, key, DateTimeOffset.UtcNow.AddSeconds(seconds));

        var error = Assert.Throws<UnauthorizedAccessException>(() => SasToken.Validate(token, "RootManageSharedAccessKey", "SAS_KEY_VALUE", DateTimeOffset.UtcNow));

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Link_addresses_are_read_with_or_without_a_leading_slash_in_any_case()
    {
        Assert.Equal(new EntityAddress("updates", "$Default", "3"), EntityAddress.Parse("/updates/ConsumerGroups/$Default/Partitions/3"));
        Assert.Equal(new EntityAddress("updates", "ingest", "0"), EntityAddress.Parse("updates/consumergroups/ingest/partitions/0"));
        Assert.Equal(new EntityAddress("updates", null, "1"), EntityAddress.Parse("updates/Partitions/1"));
        Assert.Equal(new EntityAddress("updates", null, null), EntityAddress.Parse("/updates"));
        Assert.Null(EntityAddress.Parse("updates/Other/1"));
    }

    [Fact]
    public void A_torn_record_at_the_end_of_a_partition_is_cut_off_and_the_rest_kept()
    {
        var folder = Directory.CreateTempSubdirectory("partition-").FullName;
        try
        {
            using (var log = new PartitionLog(folder, TimeSpan.FromDays(1), TimeProvider.System))
            {
                log.Append([.. Enumerable.Range(0, 5).Select(i => Encoder($"event {i}"))]);
            }

            // A crash in the middle of writing the sixth record leaves half of it on disk.
            var segment = Directory.GetFiles(folder, "*.log").Single();
            var partial = new byte[20];
            BinaryPrimitives.WriteInt32LittleEndian(partial, 1000);
            File.AppendAllBytes(segment, partial);

            using var reopened = new PartitionLog(folder, TimeSpan.FromDays(1), TimeProvider.System);
            var events = reopened.Read(0, 100);
            var next = reopened.Append([Encoder("after the crash")]).Single();

            Assert.Equal(["event 0", "event 1", "event 2", "event 3", "event 4"], events.Select(e => Encoding.UTF8.GetString(e.Message.Span)));
            Assert.Equal(5, next.SequenceNumber);
            Assert.Equal(events[^1].Offset + 24 + 7, next.Offset);
            Assert.Equal("after the crash", Encoding.UTF8.GetString(reopened.Read(5, 1).Single().Message.Span));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Start_positions_resolve_to_the_first_event_they_select()
    {
        var folder = Directory.CreateTempSubdirectory("partition-").FullName;
        try
        {
            using var log = new PartitionLog(folder, TimeSpan.FromDays(1), TimeProvider.System);
            var stored = log.Append([.. Enumerable.Range(0, 10).Select(i => Encoder($"e{i}"))]);

            Assert.Equal(0, log.Resolve(StartPosition.Earliest));
            Assert.Equal(10, log.Resolve(StartPosition.Latest));
            Assert.Equal(4, log.Resolve(new StartPosition(StartKind.Sequence, 4, Inclusive: true)));
            Assert.Equal(5, log.Resolve(new StartPosition(StartKind.Sequence, 4, Inclusive: false)));
            Assert.Equal(3, log.Resolve(new StartPosition(StartKind.Offset, stored[3].Offset, Inclusive: true)));
            Assert.Equal(4, log.Resolve(new StartPosition(StartKind.Offset, stored[3].Offset, Inclusive: false)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Retention_removes_whole_segments_past_the_retention_period_and_keeps_the_numbering()
    {
        var folder = Directory.CreateTempSubdirectory("partition-").FullName;
        var time = new ManualTime(DateTimeOffset.Parse("2026-11-23T00:00:00Z"));
        try
        {
            // Segments of about two events each, one day of retention.
            using var log = new PartitionLog(folder, TimeSpan.FromDays(1), time, segmentBytes: 70);
            log.Append([Encoder("old 0"), Encoder("old 1"), Encoder("old 2"), Encoder("old 3")]);
            time.Advance(TimeSpan.FromHours(30));
            log.Append([Encoder("new 4"), Encoder("new 5")]);

            var removed = log.ApplyRetention();
            var state = log.State;
            var next = log.Append([Encoder("new 6")]).Single();

            Assert.True(removed >= 2, $"removed {removed} segments");
            Assert.Equal(4, state.BeginSequenceNumber);
            Assert.Equal(5, state.LastSequenceNumber);
            Assert.Equal(["new 4", "new 5", "new 6"], log.Read(0, 100).Select(e => Encoding.UTF8.GetString(e.Message.Span)));
            Assert.Equal(6, next.SequenceNumber);
            Assert.Equal(4, log.Resolve(StartPosition.Earliest));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Entities_come_from_a_config_file_and_a_bad_one_is_named()
    {
        var good = Path.GetTempFileName();
        var bad = Path.GetTempFileName();
        try
        {
            File.WriteAllText(good, """{"hubs":[{"name":"prices","partitions":2,"consumerGroups":["web","ingest"],"retention":"02:00:00"}]}""");
            File.WriteAllText(bad, """{"hubs":[{"name":"orders","partitions":0}]}""");

            var hubs = Serverless.EventHubs.EventHubsOptions.FromArgs(["--config", good]).Hubs;
            var error = Assert.Throws<ArgumentException>(() => Serverless.EventHubs.EventHubsOptions.FromArgs(["--config", bad]));

            var hub = Assert.Single(hubs);
            Assert.Equal(("prices", 2, TimeSpan.FromHours(2)), (hub.Name, hub.Partitions, hub.Retention));
            Assert.Equal(["web", "ingest"], hub.ConsumerGroups);
            Assert.Contains("orders", error.Message);
        }
        finally
        {
            File.Delete(good);
            File.Delete(bad);
        }
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset now = now;

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }

    private static Func<long, long, DateTimeOffset, byte[]> Encoder(string text) => (_, _, _) => Encoding.UTF8.GetBytes(text);

    // A SAS token as the Event Hubs documentation defines it (docs/event-hubs.md): HMAC-SHA256 with the key over the
    // URL-encoded resource, a newline and the expiry in Unix seconds.
    private static string Sas(string resource, string keyName, string key, DateTimeOffset expires)
    {
        var encoded = Uri.EscapeDataString(resource);
        var expiry = expires.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{encoded}\n{expiry}"));
        return $"SharedAccessSignature sr={encoded}&sig={Uri.EscapeDataString(Convert.ToBase64String(signature))}&se={expiry}&skn={keyName}";
    }
}
