/** A non-TTY stdout/stderr stand-in for CLI commands under test: collects what they write. */
import { PassThrough } from "node:stream";

export interface CapturedStream {
  readonly stream: NodeJS.WriteStream;
  text(): string;
}

export function captureStream(): CapturedStream {
  const chunks: string[] = [];
  const stream = new PassThrough();
  stream.on("data", (d: Buffer) => chunks.push(d.toString()));
  return {
    stream: Object.assign(stream, { isTTY: false }) as unknown as NodeJS.WriteStream,
    text: () => chunks.join(""),
  };
}
