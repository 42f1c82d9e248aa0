using System.Text.Json.Nodes;
using Serverless.Contracts.CloudEvents;

namespace Serverless.Local.Demo;

/// <summary>
/// Plausible updates as CloudEvents: FX and crypto prices on a random walk (one channel per symbol), orders moving
/// through their states (one channel per region), and now and then a message to alice's or bob's private inbox
/// (<c>users.{user}.inbox</c>, which only that user may follow: docs/identity.md#channel-rules). Each entity key
/// carries a rising <c>entityversion</c>.
/// Pass a seed for the same sequence of values every run.
/// </summary>
public sealed class UpdateGenerator(int seed = 0)
{
    public const string PriceType = "com.example.price.changed";
    public const string OrderType = "com.example.order.state-changed";
    public const string MessageType = "com.example.message.received";

    private static readonly (string Symbol, double Start, int Digits)[] Symbols =
        [("EURUSD", 1.0842, 5), ("GBPUSD", 1.2719, 5), ("USDJPY", 151.32, 3), ("BTCUSD", 67250.0, 2)];

    private static readonly string[] Regions = ["eu", "us"];
    private static readonly string[] OrderStates = ["placed", "paid", "packed", "shipped", "delivered"];
    private static readonly string[] Customers = ["Contoso", "Fabrikam", "Northwind", "Tailspin", "Woodgrove"];
    private static readonly string[] Inboxes = ["alice", "bob"];
    private static readonly string[] Subjects = ["Your order has shipped", "Price alert: EURUSD", "Invoice ready", "Welcome back"];

    private readonly Random random = seed == 0 ? new Random() : new Random(seed);
    private readonly Dictionary<string, double> prices = Symbols.ToDictionary(s => s.Symbol, s => s.Start);
    private readonly Dictionary<string, long> versions = [];
    private readonly List<Order> openOrders = [];
    private readonly string runId = Guid.NewGuid().ToString("N")[..8];
    private long next;

    /// <summary>The channels this generator writes to.</summary>
    public static IReadOnlyList<string> Channels { get; } =
        [.. Symbols.Select(s => $"prices.{s.Symbol}"), .. Regions.Select(r => $"orders.{r}"), .. Inboxes.Select(Inbox)];

    /// <summary>
    /// The next update: three prices for every order change, as a market feed outpaces an order book, and a message
    /// in about one update of twenty.
    /// </summary>
    public JsonObject Next() => random.Next(20) == 0 ? NextMessage() : random.Next(4) < 3 ? NextPrice() : NextOrder();

    private static string Inbox(string user) => $"users.{user}.inbox";

    private JsonObject NextMessage()
    {
        var user = Inboxes[random.Next(Inboxes.Length)];
        var id = $"MSG-{runId}-{++next:D4}";
        return Event(Inbox(user), "/demo/messages", MessageType, id, new JsonObject
        {
            ["to"] = user,
            ["subject"] = Subjects[random.Next(Subjects.Length)],
        });
    }

    private JsonObject NextPrice()
    {
        var (symbol, _, digits) = Symbols[random.Next(Symbols.Length)];
        var mid = prices[symbol] * (1 + (random.NextDouble() - 0.5) * 0.0004);
        prices[symbol] = mid;
        var spread = mid * 0.00005;
        return Event($"prices.{symbol}", "/demo/prices", PriceType, symbol, new JsonObject
        {
            ["symbol"] = symbol,
            ["bid"] = Math.Round(mid - spread, digits),
            ["ask"] = Math.Round(mid + spread, digits),
        });
    }

    private JsonObject NextOrder()
    {
        if (openOrders.Count < 6 && (openOrders.Count == 0 || random.Next(3) == 0))
        {
            var region = Regions[random.Next(Regions.Length)];
            openOrders.Add(new Order(region, $"ORD-{runId}-{++next:D4}", Customers[random.Next(Customers.Length)], Math.Round(20 + random.NextDouble() * 480, 2), -1));
        }

        var index = random.Next(openOrders.Count);
        var order = openOrders[index] with { State = openOrders[index].State + 1 };
        if (order.State == OrderStates.Length - 1)
        {
            openOrders.RemoveAt(index);
        }
        else
        {
            openOrders[index] = order;
        }

        return Event($"orders.{order.Region}", "/demo/orders", OrderType, order.Id, new JsonObject
        {
            ["orderId"] = order.Id,
            ["state"] = OrderStates[order.State],
            ["customer"] = order.Customer,
            ["amount"] = order.Amount,
            ["currency"] = order.Region == "eu" ? "EUR" : "USD",
        });
    }

    private JsonObject Event(string channel, string source, string type, string key, JsonObject data)
    {
        // Versions follow the clock (in microseconds), so that a later run's updates are newer than a former run's.
        var now = DateTimeOffset.UtcNow.Ticks / 10;
        var version = versions[key] = Math.Max(versions.GetValueOrDefault(key) + 1, now);
        return new JsonObject
        {
            [UpdateAttributes.SpecVersion] = "1.0",
            [UpdateAttributes.Id] = Guid.NewGuid().ToString("N"),
            [UpdateAttributes.Source] = source,
            [UpdateAttributes.Type] = type,
            [UpdateAttributes.Channel] = channel,
            [UpdateAttributes.Time] = DateTimeOffset.UtcNow.ToString("O"),
            [UpdateAttributes.DataContentType] = "application/json",
            [UpdateAttributes.EntityKey] = key,
            [UpdateAttributes.EntityVersion] = version,
            [UpdateAttributes.Data] = data,
        };
    }

    private sealed record Order(string Region, string Id, string Customer, double Amount, int State);
}
