// Draws the tray and app icons into assets/, or the folder given as the
// first argument. Each is a shield with a check mark (protected), a bar
// (unprotected) or an exclamation mark (failing), at 1x and @2x. Each comes
// in colour and as a macOS template image (black and alpha only). The output is
// deterministic, so the committed PNGs can be checked against this script.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

const COLORS = {
  protected: [46, 125, 50],
  unprotected: [198, 40, 40],
  failing: [178, 106, 0],
};
const SUPERSAMPLING = 4;

function insideShield(x, y) {
  if (y < 0.06 || y > 0.96) return false;
  const halfWidth =
    y <= 0.5
      ? 0.38
      : 0.38 * Math.sqrt(Math.max(0, 1 - ((y - 0.5) / 0.46) ** 2));
  return Math.abs(x - 0.5) <= halfWidth;
}

function nearSegment(x, y, [ax, ay], [bx, by], width) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(
    0,
    Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)),
  );
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy)) <= width / 2;
}

const GLYPHS = {
  protected: (x, y) =>
    nearSegment(x, y, [0.3, 0.5], [0.45, 0.66], 0.13) ||
    nearSegment(x, y, [0.45, 0.66], [0.72, 0.34], 0.13),
  unprotected: (x, y) => nearSegment(x, y, [0.3, 0.7], [0.7, 0.3], 0.14),
  failing: (x, y) =>
    nearSegment(x, y, [0.5, 0.24], [0.5, 0.56], 0.13) ||
    Math.hypot(x - 0.5, y - 0.72) <= 0.075,
};

/** Coverage of the shield (outside the glyph) and of the glyph in one pixel. */
function coverage(status, px, py, size) {
  let shield = 0;
  let glyph = 0;
  for (let sy = 0; sy < SUPERSAMPLING; sy++) {
    for (let sx = 0; sx < SUPERSAMPLING; sx++) {
      const x = (px + (sx + 0.5) / SUPERSAMPLING) / size;
      const y = (py + (sy + 0.5) / SUPERSAMPLING) / size;
      if (!insideShield(x, y)) continue;
      if (GLYPHS[status](x, y)) glyph++;
      else shield++;
    }
  }
  const samples = SUPERSAMPLING * SUPERSAMPLING;
  return { shield: shield / samples, glyph: glyph / samples };
}

function draw(status, size, template) {
  const pixels = Buffer.alloc(size * size * 4);
  const [r, g, b] = COLORS[status];
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const { shield, glyph } = coverage(status, px, py, size);
      const offset = (py * size + px) * 4;
      if (template) {
        // Template images carry only alpha: the glyph is cut out.
        pixels.set([0, 0, 0, Math.round(shield * 255)], offset);
        continue;
      }
      const alpha = shield + glyph;
      if (alpha === 0) continue;
      const mix = (channel) =>
        Math.round((channel * shield + 255 * glyph) / alpha);
      pixels.set([mix(r), mix(g), mix(b), Math.round(alpha * 255)], offset);
    }
  }
  return encodePng(size, size, pixels);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let crc = 0xffffffff;
  for (const byte of buffer) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA
  const rows = [];
  for (let y = 0; y < height; y++) {
    rows.push(
      Buffer.from([0]),
      rgba.subarray(y * width * 4, (y + 1) * width * 4),
    );
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Writes every icon into `directory` and returns the file names. */
export function generateIcons(directory) {
  mkdirSync(directory, { recursive: true });
  const written = [];
  const write = (name, data) => {
    writeFileSync(join(directory, name), data);
    written.push(name);
  };
  for (const status of Object.keys(COLORS)) {
    for (const template of [false, true]) {
      const base = `tray-${status}${template ? "Template" : ""}`;
      write(`${base}.png`, draw(status, 16, template));
      write(`${base}@2x.png`, draw(status, 32, template));
    }
  }
  write("icon.png", draw("protected", 512, false));
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const directory = process.argv[2] ?? "assets";
  const written = generateIcons(directory);
  console.log(`wrote ${written.length} icons to ${directory}`);
}
