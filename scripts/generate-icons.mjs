// Draws OmniPalm's app and tray icons into assets/ as PNGs, with node:zlib and nothing else,
// so icons can be regenerated anywhere without image tools. Run: node scripts/generate-icons.mjs
// The output is deterministic; the PNGs are committed next to this script.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const assetsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');
const SUPERSAMPLING = 4; // 4×4 samples per pixel: smooth edges without an anti-aliasing algorithm

// ── Shapes: functions from a point in the unit square to "inside?" ──────────────────────────
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const ring = (cx, cy, r, width) => (x, y) => Math.abs(Math.hypot(x - cx, y - cy) - r) <= width / 2;
const ellipse = (cx, cy, rx, ry) => (x, y) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
const box = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const roundedSquare = (inset, radius) => (x, y) => {
  const dx = Math.max(inset + radius - x, x - (1 - inset - radius), 0);
  const dy = Math.max(inset + radius - y, y - (1 - inset - radius), 0);
  return (
    x >= inset && x <= 1 - inset && y >= inset && y <= 1 - inset && dx * dx + dy * dy <= radius ** 2
  );
};
const intersect = (a, b) => (x, y) => a(x, y) && b(x, y);
/** Part of a ring between two angles (radians, clockwise from 12 o'clock). */
const arc = (cx, cy, r, width, from, to) => (x, y) => {
  const angle = (Math.atan2(x - cx, cy - y) + 2 * Math.PI) % (2 * Math.PI);
  return angle >= from && angle <= to && ring(cx, cy, r, width)(x, y);
};

/** A quadratic Bézier stroke whose width tapers from w0 to w1: palm trunk and fronds. */
function taperedStroke([x0, y0], [cx, cy], [x1, y1], w0, w1) {
  const steps = 48;
  const points = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const u = 1 - t;
    points.push([
      u * u * x0 + 2 * u * t * cx + t * t * x1,
      u * u * y0 + 2 * u * t * cy + t * t * y1,
    ]);
  }
  const margin = Math.max(w0, w1) / 2;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const inBounds = box(
    Math.min(...xs) - margin,
    Math.min(...ys) - margin,
    Math.max(...xs) + margin,
    Math.max(...ys) + margin,
  );
  return (x, y) => {
    if (!inBounds(x, y)) return false;
    for (let i = 0; i < steps; i++) {
      const [ax, ay] = points[i];
      const [bx, by] = points[i + 1];
      const lengthSquared = (bx - ax) ** 2 + (by - ay) ** 2;
      const s = Math.max(
        0,
        Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / lengthSquared),
      );
      const width = w0 + (w1 - w0) * ((i + s) / steps);
      if ((x - ax - s * (bx - ax)) ** 2 + (y - ay - s * (by - ay)) ** 2 <= (width / 2) ** 2)
        return true;
    }
    return false;
  };
}

/** The palm: a leaning trunk and fronds from one crown, scaled into the box (x, y, size). */
function palm(x, y, size, { fronds = 5 } = {}) {
  const at = ([px, py]) => [x + px * size, y + py * size];
  const crown = [0.55, 0.3];
  const trunk = taperedStroke(at([0.45, 1]), at([0.62, 0.66]), at(crown), 0.13 * size, 0.08 * size);
  const allFronds = [
    { tip: [0.02, 0.52], bend: [0.18, 0.12] },
    { tip: [1.02, 0.5], bend: [0.9, 0.1] },
    { tip: [0.12, 0.06], bend: [0.3, 0.02] },
    { tip: [0.9, 0.0], bend: [0.75, 0.0] },
    { tip: [0.55, 0.0], bend: [0.5, 0.1] },
  ].slice(0, fronds);
  const leaves = allFronds.map(({ tip, bend }) =>
    taperedStroke(at(crown), at(bend), at(tip), 0.16 * size, 0.02 * size),
  );
  return [trunk, ...leaves];
}

// ── Rendering ───────────────────────────────────────────────────────────────────────────────
const hex = (color) => [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));

/** layers: [{ shape, color: '#rrggbb' | (x, y) => [r, g, b] }], painted in order. */
function render(size, layers) {
  const pixels = Buffer.alloc(size * size * 4);
  const samples = SUPERSAMPLING * SUPERSAMPLING;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let [r, g, b, a] = [0, 0, 0, 0]; // premultiplied sums over the samples
      for (let sy = 0; sy < SUPERSAMPLING; sy++) {
        for (let sx = 0; sx < SUPERSAMPLING; sx++) {
          const x = (px + (sx + 0.5) / SUPERSAMPLING) / size;
          const y = (py + (sy + 0.5) / SUPERSAMPLING) / size;
          const layer = layers.findLast(({ shape }) => shape(x, y));
          if (!layer) continue;
          const [lr, lg, lb] =
            typeof layer.color === 'string' ? hex(layer.color) : layer.color(x, y);
          r += lr;
          g += lg;
          b += lb;
          a += 1;
        }
      }
      const offset = (py * size + px) * 4;
      if (a > 0) {
        pixels[offset] = Math.round(r / a);
        pixels[offset + 1] = Math.round(g / a);
        pixels[offset + 2] = Math.round(b / a);
      }
      pixels[offset + 3] = Math.round((255 * a) / samples);
    }
  }
  return encodePng(size, size, pixels);
}

function encodePng(width, height, rgba) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA, deflate, no filter, no interlace
  const rowLength = width * 4;
  const raw = Buffer.alloc((rowLength + 1) * height); // each row: filter byte 0 (None), pixels
  for (let row = 0; row < height; row++) {
    rgba.copy(raw, row * (rowLength + 1) + 1, row * rowLength, (row + 1) * rowLength);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ── The icons ───────────────────────────────────────────────────────────────────────────────
const TEAL_TOP = hex('#23b08a');
const TEAL_BOTTOM = hex('#0f5c49');
const tealGradient = (_x, y) => TEAL_TOP.map((top, i) => top + (TEAL_BOTTOM[i] - top) * y);

function appIcon() {
  const tile = roundedSquare(0.04, 0.2);
  return render(512, [
    { shape: tile, color: tealGradient },
    { shape: intersect(tile, circle(0.74, 0.3, 0.11)), color: '#f7c65b' },
    { shape: intersect(tile, ellipse(0.5, 0.98, 0.42, 0.14)), color: '#e9d7a6' },
    ...palm(0.2, 0.24, 0.62).map((shape) => ({ shape, color: '#f8f5ec' })),
  ]);
}

// Tray states differ in shape as well as colour, so they read in a monochrome tray and for
// colour-blind users: idle a calm disc, working a spinner-like open ring, waiting a "!" badge.
const trayStates = {
  idle: (color) => [
    { shape: circle(0.5, 0.5, 0.47), color },
    ...palm(0.2, 0.18, 0.62, { fronds: 4 }).map((shape) => ({ shape, color: '#ffffff' })),
  ],
  working: (color) => [
    { shape: arc(0.5, 0.5, 0.4, 0.18, 0.35 * Math.PI, 2 * Math.PI), color },
    { shape: circle(0.5, 0.5, 0.22), color },
  ],
  waiting: (color) => [
    { shape: circle(0.5, 0.5, 0.47), color },
    { shape: box(0.41, 0.17, 0.59, 0.6), color: '#ffffff' },
    { shape: circle(0.5, 0.77, 0.1), color: '#ffffff' },
  ],
};
const trayColors = { idle: '#1f9d7a', working: '#2f7fd8', waiting: '#e0902a' };

function main() {
  mkdirSync(join(assetsDir, 'tray'), { recursive: true });
  writeFileSync(join(assetsDir, 'icon.png'), appIcon());
  for (const [state, layers] of Object.entries(trayStates)) {
    // Electron picks name@2x.png on high-DPI screens by itself.
    writeFileSync(join(assetsDir, 'tray', `${state}.png`), render(16, layers(trayColors[state])));
    writeFileSync(
      join(assetsDir, 'tray', `${state}@2x.png`),
      render(32, layers(trayColors[state])),
    );
  }
  console.log(`Icons written to ${assetsDir}`);
}

main();
