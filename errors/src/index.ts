// The root of weft's error tree, below every other package: @weft/sql (migrate, the embedded
// PostgreSQL) and @weft/sdk (the client, the replayer) both throw its subclasses, and neither
// depends on the other. Applications get it from "@weft/sdk".

/** Any error weft raises itself; each subclass names itself in `name`, stable across releases. */
export class WeftError extends Error {
  override readonly name: string = "WeftError";
}
