// The page: follows each chosen channel with the client rules (follower.js) over the chosen session (session.js), and
// shows the latest value per key, a log with sequence numbers, the connection state, what catch-up recovered and how
// fresh the updates are. The channel list (channel-list.js) and what screen readers hear (announcer.js) are their own.
import { Announcer } from "./announcer.js";
import { Api } from "./api.js";
import { ChannelList } from "./channel-list.js";
import { formatDelay } from "./format.js";
import { Freshness } from "./freshness.js";
import { ChannelFollower } from "./follower.js";
import { Identity } from "./identity.js";
import { pollingSession, signalRSession } from "./session.js";
import { ChannelView } from "./view.js";

const HISTORY = 20;          // updates shown from before the page joined a channel
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
let session = null;         // the running SignalR connection or polling loop (session.js)
const announcer = new Announcer($("announcer"));
const announce = (text) => announcer.say(text);
const channelList = new ChannelList($("channel-list"), $("follow-all"), api, {
  isFollowed: (channel) => followed.has(channel),
  follow,
  unfollow,
  onError: showError,
});

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
    onTrimmed(firstRetained, latest) {
      view.trimmed(firstRetained, latest);
      announce(`${channel}: older history was trimmed; going on from #${latest.head}`);
    },
    onError: showError,
  }, (c) => api.latest(c));
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

async function connect() {
  await disconnect();
  const transport = $("transport").value;
  // What a session needs of the page: the API, who calls, the channels followed and how to start or drop one.
  const context = { api, identity, apiBase: config.api, pollInterval, followed, begin, refused, setState, showError };
  session = transport === "polling" ? pollingSession(context) : signalRSession(transport, context);
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

// A channel the caller may not follow: dropped, with a word why.
function refused(channel, error) {
  unfollow(channel);
  showError(error);
  channelList.uncheck(channel);
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
await channelList.keepRefreshing();
await connect().catch(showError);
