/**
 * The error of an engine that cannot bind its address.
 */

/** Raised when the engine cannot listen; the message names the address. */
export class ListenError extends Error {
  readonly code: string | undefined;

  constructor(host: string, port: number, cause: NodeJS.ErrnoException) {
    const reason =
      cause.code === "EADDRINUSE"
        ? "the port is already in use by another program"
        : cause.code === "EACCES"
          ? "permission denied (ports below 1024 need administrator rights)"
          : cause.code === "EADDRNOTAVAIL"
            ? "this machine has no such address"
            : cause.message;
    super(`cannot listen on ${formatHostPort(host, port)}: ${reason}`, {
      cause,
    });
    this.code = cause.code;
  }
}

/** Formats an address as `host:port`, with an IPv6 host in brackets. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
