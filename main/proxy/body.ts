/**
 * Reading request bodies with a byte counter. The limit applies to the bytes
 * actually received, so a chunked body or a false `Content-Length` cannot
 * slip past it.
 */
import type { IncomingMessage } from "node:http";

export type BodyResult =
  { ok: true; body: Buffer } | { ok: false; reason: "tooLarge" | "aborted" };

const EMPTY = Buffer.alloc(0);

/** Returns whether the request announces a body. */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return (
    req.headers["transfer-encoding"] !== undefined ||
    (length !== undefined && length !== "0")
  );
}

/** Reads the whole body, or stops as soon as it passes `maxBytes`. */
export function readBody(
  req: IncomingMessage,
  maxBytes: number,
): Promise<BodyResult> {
  if (!hasBody(req)) return Promise.resolve({ ok: true, body: EMPTY });
  const declared = Number(req.headers["content-length"]);
  if (declared > maxBytes)
    return Promise.resolve({ ok: false, reason: "tooLarge" });

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (result: BodyResult) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAbort);
      req.off("close", onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        req.pause();
        finish({ ok: false, reason: "tooLarge" });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () =>
      finish({
        ok: true,
        body:
          chunks.length === 1
            ? (chunks[0] as Buffer)
            : Buffer.concat(chunks, received),
      });
    const onAbort = () => finish({ ok: false, reason: "aborted" });
    const onClose = () => {
      if (!req.complete) onAbort();
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAbort);
    req.on("close", onClose);
  });
}
