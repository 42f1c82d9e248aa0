// One channel on the page: its epoch and last sequence number, how long since it moved, the latest value of each key
// (its fields formatted, numbers with a trend arrow and a live chart), and a log in sequence order.
import { FieldFormats, fieldsOf, formatDelay, summaryOf, trendOf } from "./format.js";
import { Sparkline } from "./sparkline.js";

const MAX_LOG = 200;
const MAX_KEYS = 24; // the keys updated last; a feed of orders would otherwise grow a card without end
const FLASH_MS = 1200;
const ARROWS = { up: "▲", down: "▼", same: "" };
const TREND_WORDS = { up: "up", down: "down", same: "unchanged" };
let cards = 0;

export class ChannelView {
  constructor(channel, container, { quietAfterMs = 30000, locale } = {}) {
    this.channel = channel;
    this.quietAfterMs = quietAfterMs;
    this.formats = new FieldFormats(locale);
    this.keys = new Map(); // key -> { article, fields: Map(name -> { element, value, chart, flash }) }, least recently updated first
    this.hiddenKeys = new Set();
    this.lastMovedAt = null;
    const id = `channel-${++cards}`;
    this.section = document.createElement("section");
    this.section.className = "channel";
    this.section.dataset.channel = channel;
    this.section.setAttribute("aria-labelledby", id);
    this.section.innerHTML = `
      <div class="card-head">
        <h2 id="${id}"></h2>
        <span class="meta">epoch <span class="epoch">–</span> · last <span class="last">#0</span></span>
        <span class="since">waiting for updates</span>
      </div>
      <p class="note" hidden></p>
      <div class="latest"></div>
      <p class="more" hidden></p>
      <ol class="log" tabindex="0"></ol>`;
    this.section.querySelector("h2").textContent = channel;
    this.section.querySelector(".log").setAttribute("aria-label", `${channel}: the last ${MAX_LOG} updates`);
    this.latest = this.section.querySelector(".latest");
    this.log = this.section.querySelector(".log");
    this.since = this.section.querySelector(".since");
    container.append(this.section);
  }

  showLatest(snapshot) {
    this.setEpoch(snapshot.epoch);
    for (const value of snapshot.values) {
      this.setLatest(value.key, value.seq, value.data, Date.parse(value.time) || Date.now(), false);
    }
  }

  // Shows an update; `delay` is its freshness in ms (null when not measured, as for history).
  add(update, how, delay) {
    const li = document.createElement("li");
    li.className = how;
    li.dataset.seq = update.seq;
    li.dataset.id = update.id;
    li.innerHTML = `<span class="seq"></span><span class="key"></span><span class="summary"></span><span class="delay"></span>`;
    li.querySelector(".seq").textContent = `#${update.seq}`;
    li.querySelector(".key").textContent = update.key ?? "";
    const summary = summaryOf(update.data, this.formats);
    li.querySelector(".summary").textContent = summary;
    li.querySelector(".delay").textContent = delay == null ? "" : formatDelay(delay);
    li.title = `#${update.seq} ${update.key ?? ""} · ${how} · ${update.type} · ${update.id}\n${JSON.stringify(update.data)}`;
    const atBottom = this.log.scrollTop + this.log.clientHeight >= this.log.scrollHeight - 4;
    this.log.append(li);
    while (this.log.childElementCount > MAX_LOG) this.log.firstElementChild.remove();
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
    this.section.querySelector(".last").textContent = `#${update.seq}`;
    const at = Date.parse(update.time) || Date.now();
    if (update.key) this.setLatest(update.key, update.seq, update.data, at, how !== "history");
    if (how !== "history") this.moved(Date.now());
  }

  reset(epoch) {
    this.log.replaceChildren();
    this.latest.replaceChildren();
    this.keys.clear();
    this.hiddenKeys.clear();
    this.showHidden();
    this.setEpoch(epoch);
    const note = this.section.querySelector(".note");
    note.hidden = false;
    note.textContent = "The channel started a new epoch: its log begins again at #1.";
  }

  // What the page missed is no longer kept (the log begins at `firstRetained`): the latest values stand for it, and
  // the log goes on from their head.
  trimmed(firstRetained, latest) {
    this.showLatest(latest);
    this.section.querySelector(".last").textContent = `#${latest.head}`;
    this.section.dataset.trimmed = String(firstRetained);
    const note = this.section.querySelector(".note");
    note.hidden = false;
    note.textContent = `Older history was trimmed: the log now begins at #${firstRetained}. The latest values stand for what was missed; updates go on from #${latest.head}.`;
  }

  // The channel has joined: from here on every update shows (data-following is what scripts and tests wait for).
  markFollowing() {
    this.section.dataset.following = "true";
    this.tick(Date.now());
  }

  remove() {
    this.section.remove();
  }

  setEpoch(epoch) {
    this.section.dataset.epoch = epoch ?? "";
    this.section.querySelector(".epoch").textContent = epoch ? epoch.slice(0, 8) : "–";
  }

  moved(now) {
    this.lastMovedAt = now;
    this.tick(now);
  }

  // Called every second: "updated 3 s ago", or, once quiet for a while, "no update since 14:02:11".
  // Returns true when the channel has just gone quiet.
  tick(now) {
    if (this.lastMovedAt == null) return false;
    const quiet = now - this.lastMovedAt >= this.quietAfterMs;
    const wasQuiet = this.since.dataset.quiet === "true";
    this.since.dataset.quiet = String(quiet);
    this.since.textContent = quiet
      ? `no update since ${new Date(this.lastMovedAt).toLocaleTimeString()}`
      : `updated ${formatDelay(Math.max(0, now - this.lastMovedAt))} ago`;
    return quiet && !wasQuiet;
  }

  setLatest(key, seq, data, at, flash) {
    let entry = this.keys.get(key);
    if (!entry) {
      const article = document.createElement("article");
      article.className = "entity";
      article.dataset.key = key;
      article.innerHTML = `<div class="key-head"><h3 class="key-name"></h3><span class="key-seq"></span></div><dl class="fields"></dl>`;
      article.querySelector(".key-name").textContent = key;
      article.querySelector(".key-name").title = key;
      entry = { article, fields: new Map() };
      this.latest.append(article);
    }
    // Most recently updated last in the map, so the first one is the one to let go.
    this.keys.delete(key);
    this.keys.set(key, entry);
    this.hiddenKeys.delete(key);
    if (this.keys.size > MAX_KEYS) {
      const [oldest, { article }] = this.keys.entries().next().value;
      article.remove();
      this.keys.delete(oldest);
      this.hiddenKeys.add(oldest);
    }
    this.showHidden();
    entry.article.querySelector(".key-seq").textContent = `#${seq}`;

    const list = entry.article.querySelector(".fields");
    for (const field of fieldsOf(data, this.formats)) {
      let shown = entry.fields.get(field.name);
      if (!shown || shown.kind !== field.kind) {
        shown?.element.remove();
        shown = this.createField(key, field);
        entry.fields.set(field.name, shown);
        list.append(shown.element);
      }
      this.updateField(shown, field, at, flash);
    }
  }

  showHidden() {
    const more = this.section.querySelector(".more");
    more.hidden = this.hiddenKeys.size === 0;
    more.textContent = `${this.hiddenKeys.size} more ${this.hiddenKeys.size === 1 ? "key" : "keys"}, updated longer ago, not shown`;
  }

  createField(key, field) {
    const element = document.createElement("div");
    element.className = "field";
    element.dataset.field = field.name;
    element.dataset.kind = field.kind;
    element.innerHTML = `<dt></dt><dd class="value-cell"><span class="value"></span><span class="trend" aria-hidden="true"></span><span class="trend-text visually-hidden"></span></dd>`;
    element.querySelector("dt").textContent = field.name;
    element.querySelector("dt").title = field.name;
    const shown = { element, kind: field.kind, value: undefined, chart: null, flash: null };
    if (field.kind === "number") {
      shown.chart = new Sparkline(`${key} ${field.name}`);
      const cell = document.createElement("dd");
      cell.className = "chart";
      cell.append(shown.chart.svg);
      element.append(cell);
    }
    return shown;
  }

  updateField(shown, field, at, flash) {
    const valueCell = shown.element.querySelector(".value-cell");
    const value = shown.element.querySelector(".value");
    if (field.kind === "object") {
      // Nested data, collapsed: its JSON one click away.
      valueCell.querySelector("details")?.remove();
      value.textContent = "";
      const details = document.createElement("details");
      details.innerHTML = `<summary>${Array.isArray(field.value) ? `[${field.value.length}]` : "{…}"}</summary><code></code>`;
      details.querySelector("code").textContent = JSON.stringify(field.value, null, 1);
      valueCell.prepend(details);
    } else {
      value.textContent = field.text;
      value.title = field.kind === "text" ? field.value : field.text;
    }

    const trend = trendOf(shown.value, field.value);
    const changed = shown.value !== undefined && JSON.stringify(shown.value) !== JSON.stringify(field.value);
    shown.value = field.value;
    if (field.kind === "number") {
      shown.chart.add(at, field.value);
      if (trend) {
        shown.element.dataset.trend = trend;
        shown.element.querySelector(".trend").textContent = ARROWS[trend];
        shown.element.querySelector(".trend-text").textContent = TREND_WORDS[trend];
      }
    }

    if (flash && changed) {
      // Green up, red down, amber for a change that is not a number; the arrow says the same without colour.
      const kind = trend === "up" || trend === "down" ? trend : "changed";
      clearTimeout(shown.flash);
      shown.element.classList.remove("flash-up", "flash-down", "flash-changed");
      void shown.element.offsetWidth; // restart the animation
      shown.element.classList.add(`flash-${kind}`);
      shown.flash = setTimeout(() => shown.element.classList.remove(`flash-${kind}`), FLASH_MS);
    }
  }
}
