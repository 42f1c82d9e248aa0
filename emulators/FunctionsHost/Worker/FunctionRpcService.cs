using Grpc.Core;
using RpcException = Grpc.Core.RpcException;
using Serverless.FunctionsHost.Rpc;

namespace Serverless.FunctionsHost.Worker;

/// <summary>
/// The host's gRPC service: a worker opens one <c>EventStream</c> and says who it is with <c>StartStream</c>; the
/// stream then belongs to the worker this host started with that id.
/// </summary>
internal sealed class FunctionRpcService(WorkerSupervisor supervisor) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.StartStream is not { } start)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "The first message of a worker's stream must be StartStream."));
        }

        await supervisor.AttachAsync(start.WorkerId, requestStream, responseStream, context.CancellationToken);
    }
}
