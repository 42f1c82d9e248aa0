using Pulumi;
using Serverless.Infra;

return await Deployment.RunAsync(() => ServerlessStack.DefineAsync());
