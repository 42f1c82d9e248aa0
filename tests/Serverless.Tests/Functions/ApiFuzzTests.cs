using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Serverless.Testing;
using Xunit.Abstractions;

namespace Serverless.Tests.Functions;

/// <summary>
/// Random and hostile requests against every HTTP function of the app, through the host stand-in to the real worker:
/// whatever comes in, the answer is never a server error and never late, and every refusal is problem details
/// (RFC 9457: <c>application/problem+json</c> with the status and a title).
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class ApiFuzzTests(PipelineFixture fixture, ITestOutputHelper output)
{
    // Long enough that only a hang exceeds it: an answer is a matter of milliseconds.
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(30);

    private static readonly string[] Methods = ["GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

    // Channel names as a route segment, escaped as they go on the wire: valid, empty, too long, unicode, control
    // characters, escaped slashes and dots, OData and table-key shapes, bad percent-encoding.
    private static readonly string[] ChannelSegments =
    [
        "test.fuzz", "test.fuzz-1:x_y", "%20", new string('c', 129), new string('c', 5000), "%C3%BCmlaut", "%F0%9F%98%80",
        "a%00b", "%0A", "%0D%0Aset-cookie:x", "..", "%2E%2E", "a%2Fb", "a%5Cb", "x'%20or%20PartitionKey%20ne%20'y", "$channels",
        "%24channels", "%FF%FE", "%", "%G0", "test.%E2%80%AE", "test.fuzz?", "test.fuzz%23x", "~", "-", ":", "_", "test.fuzz%09",
    ];

    private static readonly string[] Numbers =
    [
        "0", "1", "50", "-1", "-9223372036854775808", "9223372036854775807", "9223372036854775808", "99999999999999999999999999",
        "1e3", "0x10", "%201", "1%20", "+1", "1.5", "abc", "", "%00", "%EF%BC%91", "NaN", "Infinity", "1000001", "5001",
    ];

    private static readonly string?[] ContentTypes =
    [
        null, "application/json", "application/json; charset=utf-8", "text/plain", "application/xml", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/json; charset=utf-16", "application/octet-stream", "???", "application/problem+json",
    ];

    [Fact]
    public async Task Random_and_hostile_requests_are_never_a_server_error_and_every_refusal_is_problem_details()
    {
        // FUZZ_SEED replays a failed run.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var given) ? given : Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var requests = Enumerable.Range(0, 1500).Select(_ => RandomRequest(random)).ToList();
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();

        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (fuzz, _) =>
        {
            var (status, failure, _) = await SendAsync(fuzz);
            lock (failures)
            {
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (failure is not null)
                {
                    failures.Add($"{fuzz.Method} {Cut(fuzz.Path)} ({fuzz.ContentType ?? "no content type"}, {fuzz.Body?.Length ?? 0} bytes): {failure}");
                }
            }
        });

        output.WriteLine(string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}")));
        Assert.True(failures.Count == 0, $"seed {seed}; {failures.Count} of {requests.Count} failed:\n{string.Join("\n", failures.Take(30))}");
        // The run reached the functions: it holds answers of each kind, not only refusals at the door.
        Assert.Contains(200, statuses.Keys);
        Assert.Contains(400, statuses.Keys);
        Assert.Contains(404, statuses.Keys);
    }

    [Theory]
    [InlineData("POST", "/api/subscriptions", 10, 413)]
    [InlineData("POST", "/api/subscriptions", 40, 413)]
    [InlineData("POST", "/api/negotiate", 10, 200)]
    [InlineData("GET", "/api/channels/test.fuzz/updates", 10, 200)]
    [InlineData("PUT", "/api/channels", 10, 405)]
    [InlineData("POST", "/api/nothing-here", 10, 404)]
    public async Task A_body_of_many_megabytes_is_answered_as_any_other_body(string method, string path, int megabytes, int expected)
    {
        var body = Encoding.UTF8.GetBytes("{\"userId\":\"" + new string('x', megabytes * 1024 * 1024) + "\"}");

        var (status, failure, detail) = await SendAsync(new FuzzRequest(method, path, "application/json", body));

        Assert.True(failure is null, $"{method} {path} with {megabytes} MB: {failure}");
        Assert.True(expected == status, $"{method} {path} with {megabytes} MB answered {status}, not {expected}: {detail}");
    }

    /// <summary>
    /// Clients that send their request slowly, or never finish it, hold nothing up: requests sent beside them are
    /// answered, and each slow one is answered or cut off by the server in the end.
    /// </summary>
    [Fact]
    public async Task Slow_clients_hold_up_no_one_and_are_cut_off_in_the_end()
    {
        var slow = new List<Task<string>>();
        for (var i = 0; i < 20; i++)
        {
            slow.Add(i % 2 == 0 ? TrickleBodyAsync() : StallHeadersAsync());
        }

        for (var i = 0; i < 20; i++)
        {
            using var response = await fixture.Http.GetAsync("/api/health").WaitAsync(AnswerWithin);
            Assert.True((int)response.StatusCode < 500, $"health answered {(int)response.StatusCode} beside slow clients");
            await Task.Delay(100);
        }

        // Kestrel gives a request 30 s for its headers, and a body at least 240 bytes/s after 5 s of grace.
        var ends = await Task.WhenAll(slow).WaitAsync(TimeSpan.FromSeconds(120));
        output.WriteLine(string.Join("\n", ends.GroupBy(e => e).Select(g => $"{g.Count()} × {g.Key}")));
        Assert.All(ends, end => Assert.DoesNotMatch("^HTTP/1.1 5", end));
    }

    private async Task<(int Status, string? Failure, string? Body)> SendAsync(FuzzRequest fuzz)
    {
        using var request = new HttpRequestMessage(new HttpMethod(fuzz.Method), fuzz.Path);
        if (fuzz.Body is not null)
        {
            request.Content = new ByteArrayContent(fuzz.Body);
            request.Content.Headers.ContentType = null;
            if (fuzz.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzz.ContentType);
            }
        }

        using var timeout = new CancellationTokenSource(AnswerWithin);
        HttpResponseMessage response;
        try
        {
            response = await fixture.Http.SendAsync(request, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return (0, $"no answer within {AnswerWithin.TotalSeconds:0} s", null);
        }
        catch (HttpRequestException ex)
        {
            return (0, $"the connection failed: {ex.Message}", null);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            if (status >= 500)
            {
                return (status, $"answered {status}: {Cut(text)}", text);
            }

            if (status < 400 || fuzz.Method == "HEAD")
            {
                return (status, null, text);
            }

            // The web server refuses some requests before any code runs, with a bare status: a path with an encoded NUL
            // (400) and a request line over 8 KB (414). Azure's front end refuses them too. The path is the one sent:
            // the client removes dot segments first, so "/a%00b/.." goes out without its NUL.
            var sentPath = request.RequestUri!.IsAbsoluteUri ? request.RequestUri.AbsolutePath : new Uri(fixture.Http.BaseAddress!, request.RequestUri).AbsolutePath;
            if ((status == 400 && sentPath.Contains("%00")) || (status == 414 && fuzz.Path.Length > 8 * 1024 - 100))
            {
                return (status, text.Length == 0 ? null : $"answered {status} before any code, yet with a body: {Cut(text)}", text);
            }

            return (status, ProblemFailure(status, response.Content.Headers.ContentType?.MediaType, text), text);
        }
    }

    private static string? ProblemFailure(int status, string? mediaType, string text)
    {
        if (mediaType != "application/problem+json")
        {
            return $"answered {status} as {mediaType ?? "no content type"}, not problem details: {Cut(text)}";
        }

        try
        {
            using var problem = JsonDocument.Parse(text);
            return problem.RootElement.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() == status
                && problem.RootElement.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String
                ? null
                : $"answered {status} with problem details lacking its status or title: {Cut(text)}";
        }
        catch (JsonException)
        {
            return $"answered {status} with problem+json that is not JSON: {Cut(text)}";
        }
    }

    private static FuzzRequest RandomRequest(Random random)
    {
        string Pick(IReadOnlyList<string> values) => values[random.Next(values.Count)];
        string Channel() => Pick(ChannelSegments);
        string Query()
        {
            var parameters = new List<string>();
            foreach (var name in new[] { "after", "limit", "prefix", "negotiateVersion", "x%00", "after" })
            {
                if (random.Next(3) == 0)
                {
                    parameters.Add($"{name}={(name == "prefix" ? Channel() : Pick(Numbers))}");
                }
            }

            return parameters.Count == 0 ? "" : "?" + string.Join('&', parameters);
        }

        var path = random.Next(12) switch
        {
            0 or 1 or 2 => $"/api/channels/{Channel()}/updates",
            3 or 4 => $"/api/channels/{Channel()}/latest",
            5 => "/api/channels",
            6 => "/api/subscriptions",
            7 => "/api/negotiate",
            8 => "/api/health",
            9 => $"/api/channels/{Channel()}/{Channel()}",
            10 => $"/api/{Channel()}",
            _ => $"/{Channel()}",
        };
        var method = path == "/api/subscriptions" || path == "/api/negotiate" ? Pick(["POST", "POST", "POST", .. Methods]) : Pick(Methods);
        return new FuzzRequest(method, path + Query(), ContentTypes[random.Next(ContentTypes.Length)], RandomBody(random));
    }

    private static byte[]? RandomBody(Random random) => random.Next(14) switch
    {
        0 => null,
        1 => [],
        2 => "{}"u8.ToArray(),
        3 => "null"u8.ToArray(),
        4 => "[]"u8.ToArray(),
        5 => """{"userId":5,"channels":"test.fuzz"}"""u8.ToArray(),
        6 => """{"userId":"nope","channels":["test.fuzz"]}"""u8.ToArray(),
        7 => Encoding.UTF8.GetBytes($$"""{"userId":"c","channels":[{{string.Join(',', Enumerable.Repeat("\"test.fuzz\"", 1000))}}]}"""),
        8 => Encoding.UTF8.GetBytes(new StringBuilder().Insert(0, "[", 5000).ToString()),
        9 => """{"userId":"c","channels":["bad channel", null, 7]}"""u8.ToArray(),
        10 => [0xFF, 0xFE, 0x00, 0x7B],
        11 => """{"userId":"c\u0000\n","channels":["test.fuzz"],"channels":["x"]}"""u8.ToArray(),
        12 => Encoding.UTF8.GetBytes("{\"userId\":\"" + new string('x', 100_000) + "\",\"channels\":[\"test.fuzz\"]}"),
        _ => """{"userId":"c","channels":["test.fuzz"]"""u8.ToArray(),
    };

    /// <summary>A POST that promises 10,000 bytes and sends one a second; what the server did in the end.</summary>
    private async Task<string> TrickleBodyAsync()
    {
        using var socket = await ConnectAsync();
        await SendTextAsync(socket, $"POST /api/subscriptions HTTP/1.1\r\nHost: {fixture.App.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{{");
        for (var i = 0; i < 100; i++)
        {
            await Task.Delay(1000);
            if (socket.Poll(0, SelectMode.SelectRead))
            {
                return await EndOfAsync(socket);
            }

            try
            {
                await SendTextAsync(socket, " ");
            }
            catch (SocketException)
            {
                return "closed by the server";
            }
        }

        return "still open after 100 s";
    }

    /// <summary>A GET that never finishes its headers; what the server did in the end.</summary>
    private async Task<string> StallHeadersAsync()
    {
        using var socket = await ConnectAsync();
        await SendTextAsync(socket, $"GET /api/health HTTP/1.1\r\nHost: {fixture.App.BaseAddress.Authority}\r\n");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        try
        {
            return await EndOfAsync(socket, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return "still open after 100 s";
        }
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, fixture.App.BaseAddress.Port);
        return socket;
    }

    private static async Task SendTextAsync(Socket socket, string text) => await socket.SendAsync(Encoding.ASCII.GetBytes(text));

    /// <summary>The status line the server sent before closing, or that it closed without one.</summary>
    private static async Task<string> EndOfAsync(Socket socket, CancellationToken cancellationToken = default)
    {
        var buffer = new byte[4096];
        try
        {
            var read = await socket.ReceiveAsync(buffer, cancellationToken);
            return read == 0 ? "closed by the server" : Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
        }
        catch (SocketException)
        {
            return "closed by the server";
        }
    }

    private static string Cut(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private sealed record FuzzRequest(string Method, string Path, string? ContentType, byte[]? Body);
}
