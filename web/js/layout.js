// The keyboard layout the page draws and the engine scores touches on.
//
// In server mode the layout comes from GET /v1/layout (the engine's own
// layout). On-device, the engine is opened with HUNCH_QWERTY below as its
// layout_json, so the page and the engine agree on every key rectangle.
// HUNCH_QWERTY is hunch::KeyboardLayout::Qwerty() (src/engine/layout.cc):
// keys 1 x 1 in key widths, q..p from x = 0, a..' from x = 0.5, z..m from
// x = 1.5, rows at y = 0, 1, 2.
"use strict";

const HUNCH_QWERTY = (() => {
  const keys = [];
  const rows = [["qwertyuiop", 0.0, 0], ["asdfghjkl'", 0.5, 1], ["zxcvbnm", 1.5, 2]];
  for (const [letters, x0, y] of rows) {
    [...letters].forEach((label, i) => keys.push({ label, x: x0 + i, y, w: 1, h: 1 }));
  }
  return { name: "qwerty", keys };
})();

// Geometry helpers over a layout {name, keys: [{label, x, y, w, h}]}.
const HunchLayout = {
  bounds(layout) {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    let sumW = 0, sumH = 0;
    for (const k of layout.keys) {
      minX = Math.min(minX, k.x);
      minY = Math.min(minY, k.y);
      maxX = Math.max(maxX, k.x + k.w);
      maxY = Math.max(maxY, k.y + k.h);
      sumW += k.w;
      sumH += k.h;
    }
    const n = layout.keys.length;
    return { minX, minY, maxX, maxY, keyW: sumW / n, keyH: sumH / n };
  },

  centre(key) {
    return { x: key.x + key.w / 2, y: key.y + key.h / 2 };
  },

  // The key a touch lands on: the one whose rectangle holds it, else the key
  // with the nearest centre (distances in key sizes).
  keyAt(layout, p) {
    const b = HunchLayout.bounds(layout);
    let best = null, bestD = Infinity;
    for (const k of layout.keys) {
      if (p.x >= k.x && p.x < k.x + k.w && p.y >= k.y && p.y < k.y + k.h) return k;
      const c = HunchLayout.centre(k);
      const d = ((p.x - c.x) / b.keyW) ** 2 + ((p.y - c.y) / b.keyH) ** 2;
      if (d < bestD) { bestD = d; best = k; }
    }
    return best;
  },

  // A standard normal sample (Box-Muller) from `rand` (uniform in [0, 1)).
  gaussian(rand) {
    let u = 0;
    while (u === 0) u = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  },

  // The key centre moved by Gaussian noise of `sigma` key widths (and key
  // heights vertically), kept within half a key of the layout (the engine
  // refuses touches far off its keys).
  noisyTouch(layout, key, sigma, rand) {
    const b = HunchLayout.bounds(layout);
    const c = HunchLayout.centre(key);
    if (!(sigma > 0)) return c;
    const x = c.x + HunchLayout.gaussian(rand) * sigma * b.keyW;
    const y = c.y + HunchLayout.gaussian(rand) * sigma * b.keyH;
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    return {
      x: clamp(x, b.minX - b.keyW / 2, b.maxX + b.keyW / 2),
      y: clamp(y, b.minY - b.keyH / 2, b.maxY + b.keyH / 2),
    };
  },
};
