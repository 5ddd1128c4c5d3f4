/** `btfkit version` / `-V`: this package's version and the bpftool dialects `format c` writes. */
import fs from "node:fs";

/** The version in package.json, read beside the compiled CLI (dist/cli/ -> the package root). */
function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** The C header dialects `--bpftool` accepts, newest first (the first is the default). */
const DIALECTS = ["7.8", "7.1"];

export function versionText(style: "text" | "json" | "pretty"): string {
  const version = packageVersion();
  if (style === "text") return `btfkit v${version}\nformat c dialects: bpftool ${DIALECTS.join(", ")}\n`;
  return `${JSON.stringify({ version, format_c_dialects: DIALECTS }, null, style === "pretty" ? 4 : undefined)}\n`;
}

/**
 * The style to print the version in when `words` (the command line after
 * the program) ask for the version alone: `-V`, `--version` or `version`,
 * with at most -j/--json and -p/--pretty; undefined otherwise.
 */
export function versionRequest(words: readonly string[]): "text" | "json" | "pretty" | undefined {
  const json: string[] = words.filter((w) => w === "-j" || w === "--json" || w === "-p" || w === "--pretty");
  const rest = words.filter((w) => !json.includes(w));
  if (rest.length !== 1 || !(rest[0] === "-V" || rest[0] === "--version" || rest[0] === "version")) return undefined;
  return json.some((w) => w === "-p" || w === "--pretty") ? "pretty" : json.length ? "json" : "text";
}
