// What screen readers hear about what changes around the values: the connection, channels joining, starting over,
// going quiet. A polite live region that keeps its last few lines.
const KEPT = 5;

export class Announcer {
  constructor(region) {
    this.region = region;
  }

  say(text) {
    const line = document.createElement("p");
    line.textContent = text;
    this.region.append(line);
    while (this.region.childElementCount > KEPT) this.region.firstElementChild.remove();
  }
}
