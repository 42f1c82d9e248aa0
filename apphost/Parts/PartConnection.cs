using System.Text.RegularExpressions;
using Serverless.Local.Topology;

namespace Serverless.AppHost.Parts;

/// <summary>A part the function app connects to: its resource, and its connection string by reference to its endpoints.</summary>
internal sealed record PartConnection(LocalPart Part, IResourceBuilder<IResource> Resource, ReferenceExpression ConnectionString)
{
    /// <summary>
    /// A connection string of <see cref="LocalConnections"/>'s shape with each port a reference to an endpoint's port:
    /// the shape is written with a marker per port, and each marker becomes its endpoint's reference.
    /// </summary>
    public static ReferenceExpression WithPorts(Func<string[], string> shape, params EndpointReference[] endpoints)
    {
        var text = shape([.. endpoints.Select((_, i) => $"\u0001{i}\u0001")]);
        var pieces = Regex.Split(text, "\u0001([0-9]+)\u0001");
        var expression = new ReferenceExpressionBuilder();
        for (var i = 0; i < pieces.Length; i++)
        {
            if (i % 2 == 0)
            {
                expression.AppendLiteral(pieces[i]);
            }
            else
            {
                expression.AppendFormatted(endpoints[int.Parse(pieces[i])].Property(EndpointProperty.Port));
            }
        }

        return expression.Build();
    }
}
