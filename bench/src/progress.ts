/**
 * The stderr display: which workload and peer is running and how far along it is. On a
 * terminal one status line is redrawn in place; otherwise a line every few seconds.
 */
export class Progress {
  private label = "";
  private status = "";
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(out.isTTY);
  }

  begin(label: string): void {
    this.label = label;
    this.status = "starting";
    this.draw(true);
  }

  update(done: number, total: number, unit: string): void {
    this.status = `${Math.max(0, done)}/${total} ${unit} complete`;
    this.draw(done >= total);
  }

  /** The status of the running variant, for a timeout message. */
  get current(): string {
    return this.status;
  }

  end(summary: string): void {
    this.clear();
    this.out.write(`${this.label}: ${summary}\n`);
    this.label = "";
  }

  /** A line of its own (warnings, setup steps), kept clear of the status line. */
  log(line: string): void {
    this.clear();
    this.out.write(`${line}\n`);
    if (this.label) this.draw(true);
  }

  private draw(force: boolean): void {
    const now = Date.now();
    if (!this.label || (!force && now - this.lastDraw < (this.tty ? 100 : 3000))) return;
    this.lastDraw = now;
    if (this.tty) this.out.write(`\r\x1b[2K${this.label}: ${this.status}`);
    else this.out.write(`${this.label}: ${this.status}\n`);
  }

  private clear(): void {
    if (this.tty && this.label) this.out.write("\r\x1b[2K");
  }
}
