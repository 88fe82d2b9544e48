/**
 * Reading request bodies with a byte counter. The limit applies to the bytes
 * actually received, so a chunked body or a false `Content-Length` cannot
 * slip past it.
 */
import type { IncomingMessage } from "node:http";

export type BodyResult =
  { ok: true; body: Buffer } | { ok: false; reason: "tooLarge" | "aborted" };

const EMPTY = Buffer.alloc(0);

// RFC 9110 (sections 9.3.1, 9.3.2, 9.3.5 and 9.3.8) gives content in these
// requests no meaning. A node that ignores it would read it as the next
// request on the connection: a request that never passed the pipeline.
const METHODS_WITHOUT_CONTENT = new Set(["GET", "HEAD", "DELETE", "TRACE"]);

/** The reason a request's body cannot be passed on as the client framed it. */
export interface FramingProblem {
  status: 400 | 501;
  message: string;
}

/** Checks the framing of a request before its body is read. */
export function checkFraming(req: IncomingMessage): FramingProblem | undefined {
  // Node's parser has already rejected codings that do not end in chunked.
  // The body is re-framed with a Content-Length, so a coding before chunked
  // (gzip, chunked) would be dropped on the way to the node.
  const coding = req.headers["transfer-encoding"];
  if (coding !== undefined && coding.trim().toLowerCase() !== "chunked") {
    return {
      status: 501,
      message:
        "transfer codings other than chunked are not supported, send the body chunked or with Content-Length",
    };
  }
  // The bytes after an upgrade's headers belong to the new protocol, and
  // reach the node only once it has switched. Node's parser sets `upgrade`
  // on the message, though @types/node does not declare it.
  const upgrade = (req as IncomingMessage & { upgrade?: boolean }).upgrade;
  if (
    upgrade !== true &&
    hasBody(req) &&
    METHODS_WITHOUT_CONTENT.has(req.method ?? "")
  ) {
    return {
      status: 400,
      message: `a ${req.method ?? ""} request must not have a body`,
    };
  }
  return undefined;
}

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
