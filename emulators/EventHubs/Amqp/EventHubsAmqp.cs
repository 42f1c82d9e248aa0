using Amqp.Types;

namespace Serverless.EventHubs.Amqp;

/// <summary>The Event Hubs dialect of AMQP 1.0: names and codes, as docs/event-hubs.md describes them.</summary>
internal static class EventHubsAmqp
{
    // §3.2, §3.6
    public const string CbsAddress = "$cbs";
    public const string ManagementAddress = "$management";

    // §3.5: a batch envelope whose Data sections each hold an encoded message.
    public const uint BatchFormat = 0x80013700;

    // The service's event size limit.
    public const int MaxMessageBytes = 1024 * 1024;

    public static class Annotations
    {
        // §3.4
        public static readonly Symbol SequenceNumber = "x-opt-sequence-number";
        public static readonly Symbol Offset = "x-opt-offset";
        public static readonly Symbol EnqueuedTime = "x-opt-enqueued-time";
        public static readonly Symbol PartitionKey = "x-opt-partition-key";
    }

    public static class RuntimeMetrics
    {
        // §3.3 (capability) and §3.4 (delivery annotations)
        public static readonly Symbol Capability = "com.microsoft:enable-receiver-runtime-metric";
        public static readonly Symbol LastSequenceNumber = "last_enqueued_sequence_number";
        public static readonly Symbol LastOffset = "last_enqueued_offset";
        public static readonly Symbol LastEnqueuedTime = "last_enqueued_time_utc";
        public static readonly Symbol RetrievalTime = "runtime_info_retrieval_time_utc";
    }

    public static class Receivers
    {
        // §3.3
        public static readonly Symbol Epoch = "com.microsoft:epoch";
        public static readonly Symbol SelectorFilter = "apache.org:selector-filter:string";
        public const ulong SelectorFilterCodeJs = 0x0000468C00000004;
        public const ulong SelectorFilterCodeDotNet = 0x00000137000000A;
    }

    public static class Cbs
    {
        // §3.2
        public const string Operation = "operation";
        public const string PutToken = "put-token";
        public const string Type = "type";
        public const string Name = "name";
        public const string SasTokenType = "servicebus.windows.net:sastoken";
    }

    public static class Management
    {
        // §3.6
        public const string Operation = "operation";
        public const string Read = "READ";
        public const string Name = "name";
        public const string Type = "type";
        public const string Partition = "partition";
        public const string SecurityToken = "security_token";
        public const string HubType = "com.microsoft:eventhub";
        public const string PartitionType = "com.microsoft:partition";
    }

    public static class Status
    {
        public const string Code = "status-code";
        public const string Description = "status-description";

        // Sent with failures so that clients raise the matching error rather than a generic, retried one.
        public const string ErrorCondition = "error-condition";

        public static string? ConditionOf(int status) => status switch
        {
            401 => "amqp:unauthorized-access",
            404 => "amqp:not-found",
            400 => "com.microsoft:argument-error",
            _ => null,
        };
    }

    public static class Errors
    {
        // Conditions the SDKs map to their exceptions (core-amqp ConditionErrorNameMapper).
        public static readonly Symbol Stolen = "amqp:link:stolen";
        public static readonly Symbol MessageSizeExceeded = "amqp:link:message-size-exceeded";
        public static readonly Symbol Unauthorized = "amqp:unauthorized-access";
        public static readonly Symbol NotFound = "amqp:not-found";
        public static readonly Symbol ArgumentError = "com.microsoft:argument-error";
        public static readonly Symbol DecodeError = "amqp:decode-error";
    }
}
