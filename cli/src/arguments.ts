// Parsers of flag values. Each throws commander's InvalidArgumentError, which the CLI reports
// with the flag's name and exits with the usage code (2).
import { InvalidArgumentError } from "commander";

export function wholeNumber(text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError("expected a whole number");
  return Number(text);
}

export function seconds(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) throw new InvalidArgumentError("expected a number of seconds, 0 or more");
  return value;
}

/** A JSON array, one element per argument: `'["ada", {"priority": 1}]'`. */
export function jsonArray(text: string): unknown[] {
  const value = parseJson(text, '["ada", 42]');
  if (!Array.isArray(value)) throw new InvalidArgumentError(`expected a JSON array, one element per argument, such as '["ada", 42]'`);
  return value;
}

/** A JSON object: `'{"customer": "acme"}'`. */
export function jsonObject(text: string): Record<string, unknown> {
  const value = parseJson(text, '{"customer": "acme"}');
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`expected a JSON object, such as '{"customer": "acme"}'`);
  }
  return value as Record<string, unknown>;
}

/** The server's base URL: http or https, nothing after the path. */
export function serverAddress(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError("expected a URL such as http://127.0.0.1:8080");
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash) {
    throw new InvalidArgumentError("expected an http or https URL without a query, such as http://127.0.0.1:8080");
  }
  return text;
}

function parseJson(text: string, example: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidArgumentError(`not JSON (${(error as Error).message}); quote it for the shell, such as '${example}'`);
  }
}
