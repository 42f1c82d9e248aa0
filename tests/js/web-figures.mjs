// Runs the page's figures (web/format.js, web/freshness.js: how values read, how fresh updates are) on the inputs the
// test sends as JSON in argv[2], and prints one JSON answer on stdout with what each gave.
import { readFile } from "node:fs/promises";

const root = new URL("../../", import.meta.url);

// Browser modules with no imports: loaded from their text, as the page loads them, whatever Node's module settings are.
async function load(path) {
  const source = await readFile(new URL(path, root), "utf8");
  return import(`data:text/javascript,${encodeURIComponent(source)}`);
}

const { FieldFormats, decimalsOf, fieldsOf, summaryOf, trendOf, formatDelay } = await load("web/format.js");
const { Freshness } = await load("web/freshness.js");
const input = JSON.parse(process.argv[2]);

const answer = {};
answer.decimals = input.decimals.map(decimalsOf);
answer.formatted = input.formatted.map(({ locale, values }) => {
  const formats = new FieldFormats(locale);
  return values.map(([field, value]) => formats.number(field, value));
});
answer.fields = fieldsOf(input.data, new FieldFormats("en-US")).map(({ name, kind, text }) => ({ name, kind, text }));
answer.summaries = input.summaries.map((data) => summaryOf(data, new FieldFormats("en-US")));
answer.trends = input.trends.map(([previous, value]) => trendOf(previous, value));
answer.delays = input.delays.map(formatDelay);
answer.freshness = input.freshness.map(({ samples, now }) => {
  const freshness = new Freshness();
  const recorded = samples.map(([time, at]) => freshness.record(time, at));
  return { recorded, summary: freshness.summary(now) };
});
process.stdout.write(JSON.stringify(answer) + "\n");
