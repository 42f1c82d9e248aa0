// The page: picks channels and a transport, follows each channel with the client rules (follower.js), and shows
// the latest value per key, a log with sequence numbers, the connection state, what catch-up recovered and how fresh
// the updates are.
import { Api } from "./api.js";
import { formatDelay } from "./format.js";
import { Freshness } from "./freshness.js";
import { ChannelFollower } from "./follower.js";
import { Identity } from "./identity.js";
import { ChannelView } from "./view.js";

const HISTORY = 20;          // updates shown from before the page joined a channel
// How often the channel list is read again (each read costs the function app a head read per channel): every
// second while it is empty, so that the first channel shows at once, then every 15 seconds.
const CHANNEL_REFRESH_MS = 15000;
const params = new URLSearchParams(location.search);
const config = await (await fetch("config.json")).json();
const identity = await Identity.create(config.signIn, params);
const api = new Api(config.api, identity);
const pollInterval = config.pollIntervalMs ?? 1000;
// A channel that has not moved for this long says since when (?quietAfter=seconds overrides it).
const quietAfterMs = 1000 * Number(params.get("quietAfter") ?? config.quietAfterSeconds ?? 30);
const $ = (id) => document.getElementById(id);

// What the page did, for people and for tests: counters, and when each update arrived and how late.
const page = (window.serverless = { state: "disconnected", user: identity.user, counts: { push: 0, "catch-up": 0, poll: 0, history: 0 }, arrivals: [], errors: [] });
const followed = new Map(); // channel -> { follower, view }
const freshness = new Freshness();
let session = null;         // the running SignalR connection or polling loop

// Screen readers hear what changes around the values: the connection, channels joining, starting over, going quiet.
function announce(text) {
  const region = $("announcer");
  const line = document.createElement("p");
  line.textContent = text;
  region.append(line);
  while (region.childElementCount > 5) region.firstElementChild.remove();
}

function setState(state, text = state) {
  const changed = page.state !== state || $("state").textContent !== text;
  page.state = state;
  $("state").dataset.state = state;
  $("state").textContent = text;
  if (changed) announce(`Connection: ${text}`);
  if (state === "connected" || state === "polling") {
    $("error").hidden = true;
  }
}

function showError(error) {
  page.errors.push(String(error?.message ?? error));
  $("error").hidden = false;
  $("error").textContent = String(error?.message ?? error);
}

function count(how) {
  page.counts[how]++;
  $("pushed").textContent = page.counts.push;
  $("recovered").textContent = page.counts["catch-up"];
  $("polled").textContent = page.counts.poll;
}

function follow(channel) {
  if (followed.has(channel)) {
    return followed.get(channel);
  }

  const view = new ChannelView(channel, $("channels"), { quietAfterMs });
  const follower = new ChannelFollower(channel, (c, after, limit) => api.updates(c, after, limit), {
    onUpdate(update, how) {
      const at = Date.now();
      // History is what happened before the page joined: how late it shows says nothing about the pipeline.
      const delay = how === "history" ? null : freshness.record(update.time, at);
      view.setEpoch(follower.epoch);
      view.add(update, how, delay);
      count(how);
      page.arrivals.push({ channel, seq: update.seq, how, at, delay, data: update.data });
      if (page.arrivals.length > 20000) page.arrivals.splice(0, 10000);
    },
    onReset(epoch) {
      view.reset(epoch);
      announce(`${channel} started over in a new epoch`);
    },
    onError: showError,
  });
  const entry = { follower, view };
  followed.set(channel, entry);
  if (session) {
    session.join([channel]).catch(showError);
  }
  return entry;
}

// A channel the page joins for the first time starts from its latest values and the last few updates;
// after that, every update comes through push, catch-up or polling.
function begin(channel) {
  const entry = followed.get(channel);
  entry.begun ??= (async () => {
    const latest = await api.latest(channel);
    entry.view.showLatest(latest);
    await entry.follower.start(latest.epoch, Math.max(0, latest.head - HISTORY), latest.head);
    entry.view.markFollowing();
    announce(`Following ${channel}, at #${latest.head}`);
  })().catch((error) => {
    entry.begun = null; // try again on the next join or poll
    throw error;
  });
  return entry.begun;
}

// SignalR on the chosen transport: negotiate through the function app, join the channels' groups, catch up;
// after a reconnect, join again and catch up.
function signalRSession(transportName) {
  const transport = {
    websockets: signalR.HttpTransportType.WebSockets,
    sse: signalR.HttpTransportType.ServerSentEvents,
    longpolling: signalR.HttpTransportType.LongPolling,
  }[transportName];
  // The function app's negotiate names the connection's SignalR user: the signed-in user, or a new anonymous id that
  // this page's subscriptions must name. The SignalR client keeps it to itself, so the page reads it on the way.
  const negotiated = new NegotiateObserver();
  const connection = new signalR.HubConnectionBuilder()
    // The function app answers CORS with '*', which browsers accept only without credentials.
    .withUrl(config.api, { transport, withCredentials: false, httpClient: negotiated, accessTokenFactory: () => identity.accessToken() })
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (retry) => Math.min(10000, 250 * 2 ** retry.previousRetryCount) })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  let stopped = false;
  let renewal = null;

  connection.on("updates", (message) => followed.get(message.channel)?.follower.push(message));
  connection.onreconnecting(() => setState("reconnecting"));
  connection.onreconnected(async () => {
    setState("connected", `connected (${transportName})`);
    await join([...followed.keys()]).catch(showError);
  });
  connection.onclose(() => {
    if (!stopped) {
      // Automatic reconnect gave up (or never started): start over until stopped.
      setState("reconnecting");
      setTimeout(() => !stopped && start().catch(() => {}), 2000);
    }
  });

  async function join(channels) {
    if (channels.length === 0 || connection.state !== signalR.HubConnectionState.Connected) {
      return;
    }
    const answer = await subscribeAllowed(channels);
    if (!answer) return;
    renew(answer.expiresInSeconds);
    await Promise.all(answer.channels.map(async ({ channel, epoch, head }) => {
      const entry = followed.get(channel);
      if (!entry) return;
      if (entry.follower.started) {
        await entry.follower.catchUp(epoch, head);
      } else {
        await begin(channel);
      }
    }));
  }

  // A subscription is refused whole when one of its channels may not be followed (401, 403): then each channel alone
  // finds which, those are dropped with a word why, and the rest are joined.
  async function subscribeAllowed(channels) {
    try {
      return await api.subscribe(negotiated.userId, channels);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      if (channels.length === 1) {
        refused(channels[0], error);
        return null;
      }
    }
    const answers = [];
    for (const channel of channels) {
      const answer = await subscribeAllowed([channel]);
      if (answer) answers.push(answer);
    }
    return answers.length === 0 ? null : { channels: answers.flatMap((a) => a.channels), expiresInSeconds: Math.min(...answers.map((a) => a.expiresInSeconds)) };
  }

  // A subscription lasts a few minutes unless renewed (what the caller may no longer follow is refused then): renew
  // every followed channel half-way through.
  function renew(expiresInSeconds) {
    if (renewal || stopped) return;
    renewal = setInterval(() => {
      if (connection.state === signalR.HubConnectionState.Connected && followed.size > 0) {
        subscribeAllowed([...followed.keys()]).catch(showError);
      }
    }, (expiresInSeconds * 1000) / 2);
  }

  async function start() {
    setState("connecting");
    try {
      await connection.start();
    } catch (error) {
      showError(error);
      setState("reconnecting");
      if (!stopped) setTimeout(() => !stopped && start().catch(() => {}), 2000);
      return;
    }
    setState("connected", `connected (${transportName})`);
    await join([...followed.keys()]);
  }

  return {
    start,
    join,
    async stop() {
      stopped = true;
      clearInterval(renewal);
      await connection.stop();
    },
  };
}

// The SignalR client's HTTP client with one addition: it keeps the user id the function app's negotiate answers.
class NegotiateObserver extends signalR.DefaultHttpClient {
  constructor() {
    super(signalR.NullLogger.instance);
    this.userId = null;
  }

  async send(request) {
    const response = await super.send(request);
    if (request.url?.includes("/negotiate?") && typeof response.content === "string") {
      try {
        const answer = JSON.parse(response.content);
        if (answer.userId) this.userId = answer.userId;
      } catch {
        // not JSON: the SignalR client reports it
      }
    }
    return response;
  }
}

// Plain polling of /updates: no push at all, every update is fetched.
function pollingSession() {
  let timer = null;
  let stopped = false;
  async function tick() {
    try {
      await Promise.all([...followed.entries()].map(async ([channel, entry]) => {
        try {
          await begin(channel);
          await entry.follower.poll();
        } catch (error) {
          if (!isRefusal(error)) throw error;
          refused(channel, error);
        }
      }));
      setState("polling", `polling every ${pollInterval / 1000} s`);
    } catch (error) {
      showError(error);
      setState("reconnecting", "polling (retrying)");
    }
    if (!stopped) timer = setTimeout(tick, pollInterval);
  }
  return {
    async start() {
      await tick();
    },
    async join(channels) {
      await Promise.all(channels.map(begin));
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

async function connect() {
  await disconnect();
  const transport = $("transport").value;
  session = transport === "polling" ? pollingSession() : signalRSession(transport);
  $("connect").textContent = "Disconnect";
  await session.start();
}

async function disconnect() {
  if (session) {
    const running = session;
    session = null;
    await running.stop();
  }
  $("connect").textContent = "Connect";
  setState("disconnected");
}

async function refreshChannels() {
  try {
    const channels = [];
    let after = null;
    do {
      const list = await api.channels(after);
      channels.push(...list.channels);
      after = list.next;
    } while (after);
    const ul = $("channel-list");
    for (const { channel, head } of channels) {
      let li = ul.querySelector(`li[data-channel="${CSS.escape(channel)}"]`);
      if (!li) {
        li = document.createElement("li");
        li.dataset.channel = channel;
        li.innerHTML = `<label><input type="checkbox"> <span class="name"></span></label><span class="head"></span>`;
        li.querySelector(".name").textContent = channel;
        li.querySelector("input").addEventListener("change", (e) => (e.target.checked ? follow(channel) : unfollow(channel)));
        ul.append(li);
      }
      li.querySelector(".head").textContent = `#${head}`;
      if ($("follow-all").checked && !followed.has(channel)) {
        li.querySelector("input").checked = true;
        follow(channel);
      }
      li.querySelector("input").checked = followed.has(channel);
    }
  } catch (error) {
    showError(error);
  }
}

// 401 or 403: the caller may not follow the channel (signing in may help with 401).
function isRefusal(error) {
  return error?.status === 401 || error?.status === 403;
}

// A channel the caller may not follow: dropped, with a word why.
function refused(channel, error) {
  unfollow(channel);
  showError(error);
  const box = $("channel-list").querySelector(`li[data-channel="${CSS.escape(channel)}"] input`);
  if (box) box.checked = false;
}

function unfollow(channel) {
  // The group membership stays until it lapses (it is no longer renewed); pushes for the channel are ignored from now on.
  followed.get(channel)?.view.remove();
  followed.delete(channel);
  announce(`Stopped following ${channel}`);
}

// Once a second: the header's freshness over the last minute, and each channel's "updated … ago".
function showFreshness() {
  const now = Date.now();
  const { count, p50, p99, rate } = freshness.summary(now);
  const figures = $("freshness");
  figures.dataset.count = count;
  $("fresh-p50").textContent = p50 == null ? "–" : formatDelay(p50);
  $("fresh-p99").textContent = p99 == null ? "–" : formatDelay(p99);
  $("fresh-rate").textContent = `${rate.toFixed(rate < 10 ? 1 : 0)}/s`;
  for (const [channel, { view }] of followed) {
    if (view.tick(now)) announce(`${channel}: ${view.since.textContent}`);
  }
}
setInterval(showFreshness, 1000);

// Who the page calls as: a picker of the local users (config.json's signIn), anonymous first.
function showIdentity() {
  const picker = $("user");
  for (const choice of identity.choices) {
    const option = document.createElement("option");
    option.value = choice ?? "";
    option.textContent = identity.label(choice);
    picker.append(option);
  }
  picker.value = identity.user ?? "";
  picker.disabled = identity.choices.length < 2;
  picker.addEventListener("change", () => identity.choose(picker.value || null).catch(showError));
  $("who").textContent = identity.user ? `signed in as ${identity.user}` : "not signed in: public channels only";
}
showIdentity();
if (identity.error) showError(identity.error);

$("connect").addEventListener("click", () => (session ? disconnect() : connect()).catch(showError));
$("transport").addEventListener("change", () => session && connect().catch(showError));
$("add-channel").addEventListener("submit", (event) => {
  event.preventDefault();
  follow($("channel-name").value.trim());
  $("channel-name").value = "";
});

// ?transport=sse&channels=a,b picks the transport and the channels (and turns off "follow every channel").
if (params.has("transport")) $("transport").value = params.get("transport");
if (params.has("channels")) {
  $("follow-all").checked = false;
  params.get("channels").split(",").filter(Boolean).forEach(follow);
}
async function keepRefreshing() {
  await refreshChannels();
  setTimeout(keepRefreshing, $("channel-list").childElementCount === 0 ? 1000 : CHANNEL_REFRESH_MS);
}
await keepRefreshing();
await connect().catch(showError);
