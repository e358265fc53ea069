import { StringDecoder } from "node:string_decoder";

/**
 * Bytes (or text) in, whole lines out, as they arrive. UTF-8 characters split across chunks
 * are joined first; a trailing "\r" is dropped (CRLF output, progress bars end lines with it).
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + (typeof chunk === "string" ? chunk : this.decoder.write(chunk));
    const lines = text.split("\n");
    this.partial = lines.pop()!;
    for (const l of lines) this.onLine(l.replace(/\r$/, ""));
  }

  /** The last line, if the stream ended without a newline. */
  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = "";
    if (rest) this.onLine(rest.replace(/\r$/, ""));
  }
}

/** The last `size` lines seen, for error messages. */
export class LineTail {
  private readonly lines: string[] = [];
  constructor(private readonly size: number) {}

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
  }

  get(): string[] {
    return [...this.lines];
  }
}
