// One channel on the page: its epoch and last sequence number, the latest value per key, and a log in sequence order.
const MAX_LOG = 500;

export class ChannelView {
  constructor(channel, container) {
    this.section = document.createElement("section");
    this.section.className = "channel";
    this.section.dataset.channel = channel;
    this.section.innerHTML = `
      <header><h2></h2><span class="meta">epoch <span class="epoch">–</span> · last <span class="last">#0</span></span></header>
      <p class="note" hidden></p>
      <table class="latest"><tbody></tbody></table>
      <ol class="log"></ol>`;
    this.section.querySelector("h2").textContent = channel;
    this.latest = this.section.querySelector(".latest tbody");
    this.log = this.section.querySelector(".log");
    container.append(this.section);
  }

  showLatest(snapshot) {
    this.setEpoch(snapshot.epoch);
    for (const value of snapshot.values) {
      this.setLatest(value.key, value.seq, value.data);
    }
  }

  add(update, how) {
    const li = document.createElement("li");
    li.className = how;
    li.dataset.seq = update.seq;
    li.innerHTML = `<span class="seq"></span> <span class="key"></span> <code></code>`;
    li.querySelector(".seq").textContent = `#${update.seq}`;
    li.querySelector(".key").textContent = update.key ?? "";
    li.querySelector("code").textContent = JSON.stringify(update.data);
    li.title = `${how} · ${update.type} · ${update.id}`;
    const atBottom = this.log.scrollTop + this.log.clientHeight >= this.log.scrollHeight - 4;
    this.log.append(li);
    while (this.log.childElementCount > MAX_LOG) this.log.firstElementChild.remove();
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
    this.section.querySelector(".last").textContent = `#${update.seq}`;
    if (update.key) this.setLatest(update.key, update.seq, update.data);
  }

  reset(epoch) {
    this.log.replaceChildren();
    this.latest.replaceChildren();
    this.setEpoch(epoch);
    const note = this.section.querySelector(".note");
    note.hidden = false;
    note.textContent = "The channel started a new epoch: its log begins again at #1.";
  }

  // The channel has joined: from here on every update shows (data-following is what scripts and tests wait for).
  markFollowing() {
    this.section.dataset.following = "true";
  }

  remove() {
    this.section.remove();
  }

  setEpoch(epoch) {
    this.section.dataset.epoch = epoch ?? "";
    this.section.querySelector(".epoch").textContent = epoch ? epoch.slice(0, 8) : "–";
  }

  setLatest(key, seq, data) {
    let row = [...this.latest.rows].find((r) => r.dataset.key === key);
    if (!row) {
      row = this.latest.insertRow();
      row.dataset.key = key;
      row.innerHTML = `<td class="key"></td><td class="value"></td><td class="seq"></td>`;
      row.cells[0].textContent = key;
    }
    row.cells[1].textContent = summarize(data);
    row.cells[2].textContent = `#${seq}`;
  }
}

function summarize(data) {
  if (data && typeof data === "object") {
    return Object.entries(data).map(([name, value]) => `${name}: ${typeof value === "object" ? JSON.stringify(value) : value}`).join(" · ");
  }
  return JSON.stringify(data);
}
