// How an update's data reads on the page: each field as a label and a value, numbers in the reader's locale. Free of
// the DOM, so that Node can test it (tests/js/web-format.mjs).

// Fields that hold prices or amounts: shown with at least two decimals, as money is.
const MONEY = /^(bid|ask|mid|price|last|open|high|low|close|amount|total)$/i;
const MAX_DECIMALS = 8;

// The decimals a number was written with (1.0842 has 4); the JSON text is gone by now, so read it back from the number.
export function decimalsOf(value) {
  if (!Number.isFinite(value) || Number.isInteger(value)) return 0;
  const text = String(value);
  const exponent = text.indexOf("e-");
  if (exponent >= 0) return Math.min(MAX_DECIMALS, Number(text.slice(exponent + 2)) + (text.split(".")[1]?.split("e")[0].length ?? 0));
  return Math.min(MAX_DECIMALS, text.length - text.indexOf(".") - 1);
}

// Remembers, per field, the most decimals its values had, so that a price keeps one width as it moves
// (1.0842 then 1.08425 both show with five decimals, instead of the column jumping).
export class FieldFormats {
  constructor(locale) {
    this.locale = locale;
    this.decimals = new Map();
    this.formatters = new Map();
  }

  number(field, value) {
    const seen = Math.max(this.decimals.get(field) ?? 0, decimalsOf(value), MONEY.test(field) ? 2 : 0);
    this.decimals.set(field, seen);
    let format = this.formatters.get(seen);
    if (!format) {
      format = new Intl.NumberFormat(this.locale, { minimumFractionDigits: seen, maximumFractionDigits: seen });
      this.formatters.set(seen, format);
    }
    return format.format(value);
  }
}

// The fields of an update's data, in order: { name, kind, value, text }. kind is "number", "text", "flag", "empty" or
// "object" (nested objects and arrays, shown collapsed with their JSON). Data that is not an object is one field, "value".
export function fieldsOf(data, formats) {
  const entries = data !== null && typeof data === "object" && !Array.isArray(data) ? Object.entries(data) : [["value", data]];
  return entries.map(([name, value]) => {
    if (typeof value === "number") return { name, kind: "number", value, text: formats.number(name, value) };
    if (typeof value === "string") return { name, kind: "text", value, text: value };
    if (typeof value === "boolean") return { name, kind: "flag", value, text: value ? "yes" : "no" };
    if (value === null || value === undefined) return { name, kind: "empty", value: null, text: "–" };
    return { name, kind: "object", value, text: JSON.stringify(value) };
  });
}

// One line for the log: the fields as "name value", separated by middle dots.
export function summaryOf(data, formats) {
  const fields = fieldsOf(data, formats);
  return fields.length === 1 && fields[0].name === "value" ? fields[0].text : fields.map((f) => `${f.name} ${f.text}`).join(" · ");
}

// Which way a number moved: "up", "down" or "same" (none when there is nothing to compare with).
export function trendOf(previous, value) {
  if (typeof previous !== "number" || typeof value !== "number") return null;
  return value > previous ? "up" : value < previous ? "down" : "same";
}

// "340 ms", "2.4 s", "3 min": a delay at a glance.
export function formatDelay(ms) {
  if (!Number.isFinite(ms)) return "–";
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60000)} min`;
}
