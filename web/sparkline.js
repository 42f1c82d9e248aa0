// A small live chart of one numeric field: an SVG line through its values of the last few minutes, one step per
// update (a burst of updates with the same time still reads as a line), scaled to its own range. The points it holds
// are in data-points, for tests and scripts.
const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 120;
const HEIGHT = 28;

export class Sparkline {
  constructor(label, spanMs = 5 * 60000, maxPoints = 600) {
    this.label = label;
    this.spanMs = spanMs;
    this.maxPoints = maxPoints;
    this.points = []; // { at, value }, in time order
    this.svg = document.createElementNS(SVG, "svg");
    this.svg.setAttribute("class", "sparkline");
    this.svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
    this.svg.setAttribute("preserveAspectRatio", "none");
    this.svg.setAttribute("role", "img");
    this.line = document.createElementNS(SVG, "polyline");
    this.dot = document.createElementNS(SVG, "circle");
    this.dot.setAttribute("r", "2");
    this.svg.append(this.line, this.dot);
    this.draw();
  }

  add(at, value) {
    if (!Number.isFinite(value)) return;
    // Updates caught up after a gap may be older than what is drawn: keep time order.
    let i = this.points.length;
    while (i > 0 && this.points[i - 1].at > at) i--;
    this.points.splice(i, 0, { at, value });
    const from = this.points[this.points.length - 1].at - this.spanMs;
    while (this.points.length > this.maxPoints || (this.points.length > 1 && this.points[0].at < from)) this.points.shift();
    this.draw();
  }

  draw() {
    const points = this.points;
    this.svg.dataset.points = points.length;
    if (points.length === 0) {
      this.svg.setAttribute("aria-label", `${this.label}: no values yet`);
      this.line.setAttribute("points", "");
      this.dot.setAttribute("visibility", "hidden");
      return;
    }

    const values = points.map((p) => p.value);
    const [min, max] = [Math.min(...values), Math.max(...values)];
    const [first, last] = [points[0].at, points[points.length - 1].at];
    const x = (i) => (points.length === 1 ? WIDTH - 2 : (i / (points.length - 1)) * (WIDTH - 4) + 2);
    const y = (value) => (max === min ? HEIGHT / 2 : HEIGHT - 2 - ((value - min) / (max - min)) * (HEIGHT - 4));
    this.line.setAttribute("points", points.map((p, i) => `${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(" "));
    this.dot.setAttribute("cx", x(points.length - 1).toFixed(1));
    this.dot.setAttribute("cy", y(points[points.length - 1].value).toFixed(1));
    this.dot.setAttribute("visibility", "visible");
    const minutes = Math.max(1, Math.round((last - first) / 60000));
    this.svg.setAttribute("aria-label", `${this.label} over the last ${minutes} min: ${points.length} values from ${min} to ${max}`);
  }
}
