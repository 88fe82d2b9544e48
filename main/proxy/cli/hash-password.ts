/**
 * `node-shield hash-password`: reads a password and prints the `basicAuth`
 * block to paste into a settings file. The password itself is never printed
 * or stored.
 */
import { createInterface } from "node:readline";
import { Writable, type Readable } from "node:stream";

import { createPasswordRecord, type PasswordScheme } from "../passwords.js";

export interface HashPasswordOptions {
  username: string;
  legacy: boolean;
  input: Readable & {
    isTTY?: boolean;
    setRawMode?: (mode: boolean) => unknown;
  };
  output: Writable;
  errors: Writable;
}

/** Runs the subcommand. Returns the exit status. */
export async function hashPasswordCommand(
  options: HashPasswordOptions,
): Promise<number> {
  let password: string;
  if (options.input.isTTY) {
    const typed = await prompt(options, "Password: ");
    if (typed === null) return 130;
    const confirmation = await prompt(options, "Confirm password: ");
    if (confirmation === null) return 130;
    password = typed;
    if (password !== confirmation) {
      options.errors.write(
        "The passwords do not match. Run the command again.\n",
      );
      return 2;
    }
  } else {
    password = await readAll(options.input);
  }
  if (password === "") {
    options.errors.write(
      "The password is empty. Basic authentication needs a non-empty password.\n",
    );
    return 2;
  }
  // Node Shield rejects credentials with control characters, so a password
  // with a line break in it could never be used to log in.
  if (/[\u0000-\u001f\u007f]/.test(password)) {
    options.errors.write(
      "The password contains a line break or another control character, which Basic authentication cannot carry. Give it on one line.\n",
    );
    return 2;
  }

  const scheme: PasswordScheme = options.legacy ? "sha256" : "scrypt";
  const record = await createPasswordRecord(password, scheme);
  const block = {
    enabled: true,
    username: options.username,
    passwordHash: record.passwordHash,
    passwordSalt: record.passwordSalt,
    // Hornet's own block has no scheme field, and without one the scheme is sha256.
    ...(options.legacy ? {} : { scheme }),
  };
  options.output.write(`${JSON.stringify({ basicAuth: block }, null, 2)}\n`);
  return 0;
}

/** Reads standard input to the end, dropping one trailing line break. */
async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** Asks for a line on a terminal without echoing it. Resolves to null on Ctrl-C. */
function prompt(
  options: HashPasswordOptions,
  question: string,
): Promise<string | null> {
  return new Promise((resolve) => {
    options.errors.write(question);
    // The terminal echo goes to a stream that drops it.
    const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
    const lines = createInterface({
      input: options.input,
      output: silent,
      terminal: true,
    });
    const finish = (line: string | null) => {
      lines.close();
      options.errors.write("\n");
      resolve(line);
    };
    lines.once("line", finish);
    lines.once("SIGINT", () => finish(null));
  });
}
