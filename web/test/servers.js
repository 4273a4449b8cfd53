// Servers for the browser tests, on loopback and an ephemeral port:
//   startStatic   a plain static file server (the page's on-device mode)
//   startServeDouble  a test double of `hunch serve`'s HTTP API
//                 (docs/serve.md) that answers from the real engine through
//                 the CLI: /v1/suggest runs `hunch suggest --json`,
//                 /v1/learn `hunch learn`, /v1/user/forget `hunch user
//                 forget`, on one user dictionary file per user. It stands
//                 in for `hunch serve` only until that lands on this branch.
//                 POST /v1/reject_autocorrect has no CLI: the double checks
//                 the body and answers {} (the page's own undo keeps the
//                 word; the engine-side rule is `hunch serve`'s), and so
//                 does /v1/unlearn (of autocorrected words, never learned here).
"use strict";

const http = require("http");
const fs = require("fs");
const path = require("path");
const { execFile } = require("child_process");

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

// The QWERTY layout of hunch::KeyboardLayout::Qwerty(), which `hunch suggest`
// scores touches on.
function qwertyLayout() {
  const keys = [];
  for (const [letters, x0, y] of [["qwertyuiop", 0, 0], ["asdfghjkl'", 0.5, 1], ["zxcvbnm", 1.5, 2]]) {
    [...letters].forEach((label, i) => keys.push({ label, x: x0 + i, y, w: 1, h: 1 }));
  }
  return { name: "qwerty", keys };
}

function startServeDouble({ root, hunch, model, dataDir }) {
  fs.mkdirSync(dataDir, { recursive: true });
  // One CLI process at a time: a user dictionary file is locked while open.
  let chain = Promise.resolve();
  const run = (args) => {
    const p = chain.then(() => new Promise((resolve, reject) => {
      execFile(hunch, args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new Error(stderr.trim() || err.message));
        else resolve(stdout);
      });
    }));
    chain = p.catch(() => {});
    return p;
  };
  const userFile = (user) => {
    if (typeof user !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(user)) throw new Error("bad user id");
    return path.join(dataDir, user + ".dict");
  };
  const str = (v, name) => {
    if (typeof v !== "string") throw new Error(`'${name}' must be a string`);
    if (v.startsWith("--")) throw new Error(`'${name}' may not start with '--' here (the CLI would read an option)`);
    return v;
  };

  const api = {
    async "/v1/suggest"(b) {
      const typed = b.typed === undefined ? "" : str(b.typed, "typed");
      const context = b.context === undefined ? "" : str(b.context, "context");
      const n = b.n === undefined ? 3 : b.n;
      if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error("'n' must be an integer from 1 to 16");
      const args = ["suggest", "--json", "--model", model, "--n", String(n), "--typed", typed];
      if (b.user !== undefined) args.push("--user", userFile(b.user));
      if (b.touches !== undefined) {
        if (!Array.isArray(b.touches) || b.touches.length !== [...typed].length)
          throw new Error("'touches' must hold one {x, y} per code point of 'typed'");
        if (b.touches.length) args.push("--touches", b.touches.map((t) => `${Number(t.x)},${Number(t.y)}`).join(" "));
      }
      if (b.complete) args.push("--complete");
      if (context) args.push(context);
      const out = JSON.parse(await run(args));
      return {
        suggestions: out.suggestions.map((s) => ({
          text: s.text, kind: s.kind.replace(/-/g, "_"), score: s.score, autocorrect: s.autocorrect,
        })),
        took_us: out.latency_us,
      };
    },
    async "/v1/learn"(b) {
      const file = userFile(b.user);
      const word = str(b.word, "word");
      if (!["typed", "picked", "autocorrected"].includes(b.source)) throw new Error("bad 'source'");
      str(b.context === undefined ? "" : b.context, "context");
      // Autocorrect's own words are not learned as new words (CommitSource::kAutocorrected).
      if (b.source !== "autocorrected") await run(["learn", "--user", file, "--model", model, word]);
      return {};
    },
    // The page unlearns only the correction of an undone autocorrect, which
    // the double never taught the dictionary (see /v1/learn): nothing to take back.
    async "/v1/unlearn"(b) {
      userFile(b.user);
      str(b.word, "word");
      return {};
    },
    async "/v1/reject_autocorrect"(b) {
      userFile(b.user);
      for (const f of ["typed", "correction"]) str(b[f], f);
      return {};
    },
    async "/v1/user/forget"(b) {
      const file = userFile(b.user);
      await run(["user", file, "forget", str(b.word, "word"), "--model", model]);
      return {};
    },
  };

  return listen(http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const reply = (status, obj) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(obj));
    };
    if (req.method === "GET" && url.pathname === "/v1/layout") return reply(200, qwertyLayout());
    if (url.pathname.startsWith("/v1/")) {
      const handler = api[url.pathname];
      if (!handler) return reply(404, { error: "no such endpoint" });
      if (req.method !== "POST") return reply(405, { error: "POST only" });
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", async () => {
        let b;
        try {
          b = JSON.parse(body);
        } catch (e) {
          return reply(400, { error: "body is not JSON" });
        }
        try {
          reply(200, await handler(b));
        } catch (e) {
          reply(400, { error: e.message });
        }
      });
      return;
    }
    sendStatic(root, req, res, {});
  }));
}

module.exports = { startStatic, startServeDouble };

// By hand: node web/test/servers.js static|double — serves web/ on loopback
// (double: with the test double of the API over build/hunch) and prints the
// address.
if (require.main === module) {
  const root = path.resolve(__dirname, "..");
  const repo = path.resolve(root, "..");
  const which = process.argv[2];
  const start = which === "static"
    ? startStatic(root, false)
    : which === "double"
      ? startServeDouble({
        root, hunch: path.join(repo, "build", "hunch"), model: path.join(repo, "models", "en.hunch"),
        dataDir: fs.mkdtempSync(path.join(require("os").tmpdir(), "hunch-web-users-")),
      })
      : null;
  if (!start) {
    console.error("usage: node web/test/servers.js static|double");
    process.exit(2);
  }
  start.then((s) => console.log(`serving ${root} at ${s.url}/`));
}
