// The static file server of the browser tests' on-device mode: web/ on
// loopback and an ephemeral port, as any static server would serve it (the
// served mode uses the real `hunch serve`, web_test.js startHunchServe).
"use strict";

const http = require("http");
const fs = require("fs");
const path = require("path");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".wasm": "application/wasm",
  ".hunch": "application/octet-stream",
};

function sendStatic(root, req, res, headers) {
  let rel;
  try {
    rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
  } catch (e) {
    res.writeHead(400).end();
    return;
  }
  if (rel.endsWith("/")) rel += "index.html";
  const file = path.resolve(root, "." + rel);
  if (!file.startsWith(path.resolve(root) + path.sep)) {
    res.writeHead(403).end();
    return;
  }
  fs.readFile(file, (err, data) => {
    if (err) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      return;
    }
    res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream", ...headers });
    res.end(data);
  });
}

function listen(server) {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

// Static files of `root`. With `isolated`, the COOP/COEP headers that make
// the page cross-origin isolated (finer performance.now() in Chromium).
function startStatic(root, isolated) {
  const headers = isolated
    ? { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" }
    : {};
  return listen(http.createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
      return;
    }
    sendStatic(root, req, res, headers);
  }));
}

module.exports = { startStatic };

// By hand: node web/test/servers.js — serves web/ on loopback (the page
// on-device, with web/wasm/ from scripts/build_wasm.sh) and prints the address.
if (require.main === module) {
  const root = path.resolve(__dirname, "..");
  startStatic(root, false).then((s) => console.log(`serving ${root} at ${s.url}/`));
}
