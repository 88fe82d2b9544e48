import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";

import { describe, expect, it } from "vitest";

import { generateIcons } from "../../assets/generate-icons.mjs";
import { PROJECT_ROOT } from "../support/paths.js";

describe("generate-icons", () => {
  it("committed icons match the script", () => {
    const directory = mkdtempSync(join(tmpdir(), "node-shield-icons-"));
    try {
      const written = generateIcons(directory);
      expect(written.sort()).toEqual(
        readdirSync(join(PROJECT_ROOT, "assets"))
          .filter((name) => name.endsWith(".png"))
          .sort(),
      );
      for (const name of written) {
        const fresh = readFileSync(join(directory, name));
        const committed = readFileSync(join(PROJECT_ROOT, "assets", name));
        expect(fresh.equals(committed), name).toBe(true);
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("template images are black with alpha only", () => {
    const names = readdirSync(join(PROJECT_ROOT, "assets")).filter((name) =>
      name.includes("Template"),
    );
    expect(names).toHaveLength(6);
    for (const name of names) {
      const pixels = decodeRgba(join(PROJECT_ROOT, "assets", name));
      let opaque = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        expect(pixels.readUIntBE(i, 3), name).toBe(0);
        if (pixels[i + 3] === 255) opaque++;
      }
      expect(opaque, name).toBeGreaterThan(0);
    }
  });
});

/**
 * Decodes a PNG written by the icon script: one IDAT chunk of RGBA rows,
 * each with filter type 0.
 */
function decodeRgba(path: string): Buffer {
  const data = readFileSync(path);
  const width = data.readUInt32BE(16);
  let offset = 8;
  const chunks: Buffer[] = [];
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.subarray(offset + 4, offset + 8).toString("ascii");
    if (type === "IDAT")
      chunks.push(data.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(chunks));
  const stride = width * 4 + 1;
  const rows: Buffer[] = [];
  for (let row = 0; row * stride < raw.length; row++) {
    expect(raw[row * stride]).toBe(0);
    rows.push(raw.subarray(row * stride + 1, (row + 1) * stride));
  }
  return Buffer.concat(rows);
}
