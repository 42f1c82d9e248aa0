using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Serverless.SignalRService.Hubs;

/// <summary>
/// Wraps a hub protocol (JSON, MessagePack) and turns every invocation a client sends, whatever its target, into
/// <see cref="ClientHub.RefusedInvocation"/>, so that the hub can refuse it as the service does. Everything else,
/// writing above all, is the wrapped protocol's.
/// </summary>
internal sealed class ListenOnlyHubProtocol(IHubProtocol inner) : IHubProtocol
{
    public string Name => inner.Name;
    public int Version => inner.Version;
    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HubMessage? message)
    {
        if (!inner.TryParseMessage(ref input, new RefusingBinder(binder), out message))
        {
            return false;
        }

        message = message switch
        {
            InvocationMessage invocation => Refused(invocation.InvocationId, invocation.Target),
            InvocationBindingFailureMessage failure => Refused(failure.InvocationId, failure.Target),
            StreamBindingFailureMessage failure => Refused(null, $"stream {failure.Id}"),
            _ => message,
        };
        return true;
    }

    private static InvocationMessage Refused(string? invocationId, string target) =>
        new(invocationId, ClientHub.RefusedInvocation, [target]);

    // Every target binds to no arguments, so that parsing never depends on which methods the hub has.
    private sealed class RefusingBinder(IInvocationBinder inner) : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [];
        public Type GetReturnType(string invocationId) => inner.GetReturnType(invocationId);
        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
