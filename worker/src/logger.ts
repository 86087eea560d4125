import type { Logger } from "@weft/sdk";

type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** The default logger: one line per message on stderr, with its scope fields. */
export function consoleLogger(minLevel: Level = "info"): Logger {
  const at = (level: Level) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    const scope = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : "";
    process.stderr.write(`[weft ${level}] ${message}${scope}\n`);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A logger that adds `fields` to every line. */
export function scoped(logger: Logger, fields: Record<string, unknown>): Logger {
  const wrap = (log: Logger[Level]) => (message: string, more?: Record<string, unknown>) =>
    log.call(logger, message, { ...fields, ...more });
  return { debug: wrap(logger.debug), info: wrap(logger.info), warn: wrap(logger.warn), error: wrap(logger.error) };
}
