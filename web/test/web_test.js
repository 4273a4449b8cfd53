// Browser tests of the web page (web/), run by scripts/test_web.sh: headless
// Debian Chromium (/usr/bin/chromium) driven by playwright-core.
//
//   node web/test/web_test.js --hunch build/hunch --model models/en.hunch --out build
//
// The page is tested in both modes:
//   served   the page and the HTTP API from the real `hunch serve --port 0
//            --web web --data DIR` of this build (docs/serve.md); a CLI
//            without `serve` fails the run
//   wasm     the page from a plain static server (the engine in WebAssembly,
//            web/wasm/ from scripts/build_wasm.sh), and once from file://
// Every expectation was checked against the engine first (`hunch suggest`,
// `hunch repl`): see the comments at each step. Writes
// OUT/web-screenshot.png and OUT/web-latency.json (the on-device suggest
// latency measured in the page).
"use strict";

const assert = require("assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { execFileSync, spawn } = require("child_process");
const { chromium } = require("playwright-core");
const { startStatic } = require("./servers");

const ROOT = path.resolve(__dirname, "..", "..");
const WEB = path.join(ROOT, "web");

function parseArgs(argv) {
  const a = { hunch: "build/hunch", model: "models/en.hunch", out: "build", modes: "served,wasm,file",
              chromium: "/usr/bin/chromium" };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, "");
    if (!(k in a) || i + 1 >= argv.length) throw new Error(`usage: web_test.js [--${Object.keys(a).join(" V] [--")} V]`);
    a[k] = argv[i + 1];
  }
  for (const k of ["hunch", "model", "out"]) a[k] = path.resolve(ROOT, a[k]);
  return a;
}

const args = parseArgs(process.argv.slice(2));
let failures = 0;
let passes = 0;

async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passes++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}

// The engine's own answer (native build) for one fresh request.
function engineSuggest(context, typed, extra) {
  const argv = ["suggest", "--json", "--model", args.model, "--typed", typed, ...(extra || [])];
  if (context) argv.push(context);
  return JSON.parse(execFileSync(args.hunch, argv, { encoding: "utf8" })).suggestions
    .map((s) => ({ text: s.text, kind: s.kind.replace(/-/g, "_"), autocorrect: s.autocorrect }));
}

// ---- driving the page -----------------------------------------------------

async function openPage(browser, url, expectMode) {
  const context = await browser.newContext({ viewport: { width: 780, height: 860 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // The page reports a failed engine call (an HTTP error from the API, a C API
  // error on-device) with console.error: every one fails the test.
  // On-device over http, the page first asks for /v1/layout, which a static
  // server answers 404: that one is how the page finds its mode.
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const where = m.location().url || "";
    if (expectMode === "wasm" && /\/v1\/layout$/.test(where) && /404/.test(m.text())) return;
    errors.push(`console: ${m.text()} (${where || "?"})`);
  });
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready !== "0", null, { timeout: 60000 });
  const ready = await page.evaluate(() => document.body.dataset.ready);
  assert.strictEqual(ready, "1", `page not ready: ${await page.textContent("#status")} ${errors.join("; ")}`);
  assert.strictEqual(await page.evaluate(() => document.body.dataset.mode), expectMode);
  page.errors = errors;
  page.closeAll = () => context.close();
  return page;
}

const LABEL = { " ": "space", "\b": "backspace", "\n": "enter" };

// Clicks the on-screen keys of `text` (" " space, "\b" backspace).
async function clickKeys(page, text) {
  for (const ch of text) {
    await page.click(`#keyboard .key[data-label="${LABEL[ch] || ch}"]`);
  }
  await settle(page);
}

async function settle(page) {
  await page.evaluate(() => hunchPage.idle());
}

async function bar(page) {
  await settle(page);
  return page.$$eval("#bar .suggestion", (els) => els.map((e) => ({
    text: e.dataset.text, kind: e.dataset.kind, autocorrect: e.dataset.autocorrect === "1",
  })));
}

async function text(page) {
  await settle(page);
  return page.inputValue("#text");
}

async function calls(page) {
  await settle(page);
  return page.evaluate(() => hunchPage.calls.map((c) => [c.op, ...c.args]));
}

const texts = (list) => list.map((s) => s.text);

// Served mode: the page's user's dictionary as `hunch serve` holds it (GET
// /v1/user/list for the user id the page keeps in localStorage), once the
// page's learning calls have been answered: {word: {count, blocked, suggested}}.
async function serverWords(page) {
  await settle(page);
  const list = await page.evaluate(async () => {
    const user = localStorage.getItem("hunch.web.user");
    const r = await fetch("/v1/user/list?user=" + encodeURIComponent(user), { cache: "no-store" });
    return { status: r.status, body: await r.json() };
  });
  assert.strictEqual(list.status, 200, JSON.stringify(list.body));
  return Object.fromEntries(list.body.words.map((w) => [w.word, w]));
}

// ---- the flows, the same in every mode --------------------------------------

async function flows(browser, url, mode, label) {
  const run = async (name, query, fn) => {
    await check(`${label}: ${name}`, async () => {
      const page = await openPage(browser, url + query, mode);
      try {
        await fn(page);
        assert.deepStrictEqual(page.errors, [], "page errors");
      } finally {
        await page.closeAll();
      }
    });
  };

  await run("mode shown, the first bar is the engine's next-word answer", "", async (page) => {
    const badge = await page.textContent("#mode");
    assert.match(badge, mode === "server" ? /mode: server/ : /mode: on-device \(WebAssembly\)/);
    // The engine on an empty text: The, I, " (hunch suggest --json).
    const want = engineSuggest("", "");
    assert.deepStrictEqual(await bar(page), want);
    assert.match(await page.textContent("#latency"), /suggest [0-9.]+ ms/);
  });

  await run("typing by clicks: completions, an emoji, tapping a suggestion", "", async (page) => {
    await clickKeys(page, "see");
    // "see": seeing and the 👀 emoji (hunch suggest --typed see; hunch repl).
    const atSee = await bar(page);
    assert.ok(texts(atSee).includes("seeing"), JSON.stringify(atSee));
    assert.ok(atSee.some((s) => s.kind === "emoji" && s.text === "👀"), JSON.stringify(atSee));
    await clickKeys(page, " you tom");
    // "see you tom": tomorrow (hunch suggest "see you" --typed tom; hunch repl).
    const atTom = await bar(page);
    assert.ok(atTom.some((s) => s.text === "tomorrow" && s.kind === "completion"), JSON.stringify(atTom));
    await page.click('#bar .suggestion[data-text="tomorrow"]');
    assert.strictEqual(await text(page), "see you tomorrow ");
    assert.deepStrictEqual(await calls(page), [
      ["learn", "see", "", "typed"],
      ["learn", "you", "see ", "typed"],
      ["learn", "tomorrow", "see you ", "picked"],
    ]);
    // Next-word predictions after the space.
    assert.ok((await bar(page)).every((s) => s.kind === "next_word" || s.kind === "phrase" || s.kind === "emoji"));
  });

  await run("autocorrect on space, Backspace undoes it", "", async (page) => {
    // hunch suggest --typed plese --complete: please, flagged autocorrect;
    // the bar shows it highlighted before the space.
    await clickKeys(page, "plese");
    const before = await bar(page);
    assert.deepStrictEqual(before.filter((s) => s.autocorrect).map((s) => s.text), ["please"], JSON.stringify(before));
    assert.strictEqual(await page.textContent('#bar .suggestion[data-autocorrect="1"] .kind'), "autocorrect on space");
    await clickKeys(page, " ");
    assert.strictEqual(await text(page), "please ");
    assert.deepStrictEqual((await calls(page)).pop(), ["learn", "please", "", "autocorrected"]);
    // Served, the user's dictionary on the server: POST /v1/learn (source
    // autocorrected) counted the correction; /v1/unlearn takes it back and
    // /v1/reject_autocorrect makes the typed word known (checked by hand
    // with curl against hunch serve: docs/serve.md, "Learning").
    if (mode === "server") assert.strictEqual((await serverWords(page)).please.count, 1);
    await clickKeys(page, "\b");
    assert.strictEqual(await text(page), "plese");
    const c = await calls(page);
    assert.deepStrictEqual(c.slice(-2), [["unlearn", "please", ""], ["rejectAutocorrect", "plese", "please", ""]]);
    if (mode === "server") {
      const words = await serverWords(page);
      assert.ok(!("please" in words), JSON.stringify(words));
      assert.strictEqual(words.plese.count, 1, JSON.stringify(words));
    }
    assert.ok((await bar(page)).every((s) => !s.autocorrect), "no autocorrection offered for the kept word");
    // The undone word stays as typed at the next space.
    await clickKeys(page, " ");
    assert.strictEqual(await text(page), "plese ");
    assert.deepStrictEqual((await calls(page)).pop(), ["learn", "plese", "", "typed"]);
    if (mode === "server") assert.strictEqual((await serverWords(page)).plese.count, 2);
  });

  await run("a phrase suggestion", "", async (page) => {
    // hunch suggest "in the middle": next words with the phrase "of the".
    await clickKeys(page, "in the middle ");
    const list = await bar(page);
    assert.ok(list.some((s) => s.kind === "phrase" && s.text === "of the"), JSON.stringify(list));
    await page.click('#bar .suggestion[data-text="of the"]');
    assert.strictEqual(await text(page), "in the middle of the ");
    assert.deepStrictEqual((await calls(page)).slice(-2), [
      ["learn", "of", "in the middle ", "picked"], ["learn", "the", "in the middle of ", "picked"],
    ]);
  });

  await run("the physical keyboard", "", async (page) => {
    await page.focus("#text");
    await page.keyboard.type("I will be there in a mi");
    // "mi": minute, both for one fresh request (hunch suggest "I will be
    // there in a" --typed mi) and key by key in one session (hunch repl).
    assert.ok(texts(await bar(page)).includes("minute"), JSON.stringify(await bar(page)));
    await page.keyboard.type("nite ");
    // hunch suggest --typed minite --complete: minute, autocorrect.
    assert.strictEqual(await text(page), "I will be there in a minute ");
  });

  await run("learning a new word, then forgetting it from the bar", "", async (page) => {
    // zorblax: no correction at the space (hunch suggest --typed zorblax
    // --complete is empty), so it is committed as typed; twice makes it a
    // suggested word (min_typed_count 2): "z" offers it (hunch learn twice,
    // then hunch suggest --typed z --user FILE); forgetting takes it away.
    // (Further keys would not: a word shown and typed past is passed over
    // for the rest of the word, EngineOptions::skip_passed_over.)
    await clickKeys(page, "zorblax zorblax z");
    assert.ok(texts(await bar(page)).includes("zorblax"), JSON.stringify(await bar(page)));
    if (mode === "server") assert.strictEqual((await serverWords(page)).zorblax.count, 2);
    await page.click('#bar .suggestion[data-text="zorblax"] .forget');
    assert.ok(!texts(await bar(page)).includes("zorblax"), JSON.stringify(await bar(page)));
    // Served: POST /v1/user/forget removed it from the user's dictionary.
    if (mode === "server") assert.ok(!("zorblax" in (await serverWords(page))));
    assert.deepStrictEqual((await calls(page)).pop(), ["forget", "zorblax"]);
    assert.match(await page.textContent("#status"), /Forgot/);
  });

  await run("sloppy fingers: noisy touches, corrected at the space", "?sigma=0.35&seed=3", async (page) => {
    assert.strictEqual(await page.inputValue("#sloppy"), "0.35");
    await clickKeys(page, "please");
    const typed = await text(page);
    // The noise moved at least one touch onto another key.
    assert.notStrictEqual(typed, "please");
    assert.strictEqual([...typed].length, 6);
    await clickKeys(page, " ");
    assert.strictEqual(await text(page), "please ");
  });

  await run("a loose typist: the words' touches teach the engine the spread", "?sigma=0.6&seed=5", async (page) => {
    const sigma0 = await page.evaluate(() => hunchPage.touchSigma());
    assert.ok(Math.abs(sigma0 - 0.3) < 1e-6, `a new user's touch spread is touch_sigma, not ${sigma0}`);
    // Twelve words typed on the on-screen keys at a spread of 0.6 key widths:
    // each committed word whose length the touches match reports them
    // (learn with touches; Session::LearnTouches).
    await clickKeys(page, "the time you have for this work is what we make of it ");
    const commits = await page.evaluate(() => hunchPage.touchCommits);
    assert.ok(commits >= 8, `touches reported for ${commits} words`);
    const sigma = await page.evaluate(() => hunchPage.touchSigma());
    // About 40 touches against the prior of 100 at 0.3: 0.38 (seed 5), in both modes.
    assert.ok(sigma > 0.35, `touch spread ${sigma} after ${commits} words typed at 0.6`);
  });
}

// A server process started by the tests: resolves with its address once its
// stdout or stderr shows a line matching `pattern` (whose group 1 is the
// URL), rejects when it exits first or prints none within 30 s. close()
// sends SIGTERM and, for `hunch serve`, checks it exits 0 (docs/serve.md).
function startProcess(name, file, argv, pattern, cwd, exitZero) {
  const child = spawn(file, argv, { cwd: cwd || ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} printed no address in 30 s: ${out}`)), 30000);
    const onData = (d) => {
      out += d;
      const m = out.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (e) => reject(new Error(`cannot run ${name}: ${e.message}`)));
    child.on("exit", (code) => reject(new Error(`${name} exited (${code}) before listening: ${out}`)));
  });
  const close = () => new Promise((resolve) => {
    const done = (code, signal) => {
      if (exitZero && code !== 0) {
        failures++;
        console.log(`FAIL ${name} exited with ${code === null ? signal : code} after SIGTERM, not 0: ${out}`);
      }
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode, child.signalCode);
    child.on("exit", done);
    child.kill("SIGTERM");
  });
  return url.then((u) => ({ url: u, close }), async (e) => {
    await close();
    throw e;
  });
}

const LISTENING = /hunch serve: listening on (http:\/\/[^\s]+)/;

// `hunch serve` on an ephemeral loopback port, serving web/ with the users'
// dictionaries in `dataDir` (docs/serve.md). Rejects when it does not start
// (no such binary, a CLI without `serve`, a bad model).
function startHunchServe(dataDir) {
  return startProcess(`${args.hunch} serve`, args.hunch,
                      ["serve", "--model", args.model, "--host", "127.0.0.1", "--port", "0", "--web", WEB,
                       "--data", dataDir], LISTENING, ROOT, true);
}

// The two commands README.md and docs/serve.md give for opening the page,
// run as written but on a free port (--port 0, port 0) instead of 8080 and
// 8000: the page must come up in the mode they promise and suggest.
async function readmeCommands(browser, modes) {
  const tryPage = async (url, mode) => {
    const page = await openPage(browser, url, mode);
    try {
      await clickKeys(page, "see you tom");
      assert.ok(texts(await bar(page)).includes("tomorrow"), JSON.stringify(await bar(page)));
      assert.deepStrictEqual(page.errors, []);
    } finally {
      await page.closeAll();
    }
  };
  if (modes.includes("served")) {
    await check("README: build/hunch serve --model models/en.hunch (web/ of the source tree at /)", async () => {
      // From another directory: the default --web is the source tree's web/.
      const srv = await startProcess("hunch serve", args.hunch, ["serve", "--model", args.model, "--port", "0"],
                                     LISTENING, os.tmpdir(), true);
      try {
        assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        await tryPage(srv.url + "/", "server");
      } finally {
        await srv.close();
      }
    });
  }
  if (modes.includes("wasm")) {
    await check("README: python3 -m http.server -b 127.0.0.1 -d web (on-device)", async () => {
      const srv = await startProcess("python3 -m http.server", "python3",
                                     ["-u", "-m", "http.server", "-b", "127.0.0.1", "-d", WEB, "0"],
                                     /Serving HTTP on 127\.0\.0\.1 port (\d+)/, ROOT, false);
      try {
        await tryPage(`http://127.0.0.1:${srv.url}/`, "wasm");
      } finally {
        await srv.close();
      }
    });
  }
}

function assertWasmBuilt() {
  assert.ok(fs.existsSync(path.join(WEB, "wasm", "hunch.wasm")), "web/wasm/ is missing: run scripts/build_wasm.sh");
}

// ---- main ---------------------------------------------------------------------

(async () => {
  fs.mkdirSync(args.out, { recursive: true });
  const modes = args.modes.split(",");
  const browser = await chromium.launch({
    executablePath: args.chromium,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const closers = [() => browser.close()];
  try {
    if (modes.includes("served")) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hunch-web-users-"));
      closers.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
      const srv = await startHunchServe(dataDir);
      console.log(`served mode: ${srv.url} (${args.hunch} serve)`);
      closers.push(() => srv.close());
      await flows(browser, srv.url + "/", "server", "served");
      if (modes.includes("wasm")) {
        assertWasmBuilt();
        await check("served: the page's on-device link (?mode=wasm) runs from hunch serve's files", async () => {
          const served = await openPage(browser, srv.url + "/", "server");
          let href;
          try {
            href = await served.getAttribute("#switch a", "href");
            assert.strictEqual(href, "?mode=wasm");
          } finally {
            await served.closeAll();
          }
          // hunch.js, hunch.wasm and en.hunch from hunch serve's static files.
          const page = await openPage(browser, srv.url + "/" + href, "wasm");
          try {
            await clickKeys(page, "see you tom");
            assert.ok(texts(await bar(page)).includes("tomorrow"), JSON.stringify(await bar(page)));
            assert.deepStrictEqual(page.errors, []);
          } finally {
            await page.closeAll();
          }
        });
      }
    }
    if (modes.includes("wasm") || modes.includes("file")) assertWasmBuilt();
    if (modes.includes("wasm")) {
      // Cross-origin isolated, so that performance.now() is fine-grained.
      const srv = await startStatic(WEB, true);
      closers.push(() => srv.close());
      console.log(`wasm mode: ${srv.url} (static files)`);
      await flows(browser, srv.url + "/", "wasm", "wasm");

      await check("wasm: a typed sentence, the screenshot and the suggest latency", async () => {
        const page = await openPage(browser, srv.url + "/", "wasm");
        try {
          await clickKeys(page, "thsnks for the message, see you tomorrow. i will be there in a minite");
          await page.waitForTimeout(300);  // the last key's press shading fades
          await page.screenshot({ path: path.join(args.out, "web-screenshot.png"), fullPage: true });
          const r = await page.evaluate(() => hunchPage.bench());
          r.wasm_bytes = fs.statSync(path.join(WEB, "wasm", "hunch.wasm")).size;
          r.cpu = (os.cpus()[0] || {}).model;
          fs.writeFileSync(path.join(args.out, "web-latency.json"), JSON.stringify(r, null, 2) + "\n");
          console.log(`     on-device suggest latency: ${r.calls} calls, p50 ${r.p50_ms.toFixed(3)} ms, ` +
                      `p99 ${r.p99_ms.toFixed(3)} ms, max ${r.max_ms.toFixed(3)} ms ` +
                      `(cross-origin isolated: ${r.cross_origin_isolated}; ${r.cpu})`);
          assert.ok(r.calls > 100 && r.p50_ms > 0 && Number.isFinite(r.p99_ms));
          assert.deepStrictEqual(page.errors, []);
        } finally {
          await page.closeAll();
        }
      });
    }
    await readmeCommands(browser, modes);
    if (modes.includes("file")) {
      await check("file://: the page opened from disk runs on-device", async () => {
        const page = await openPage(browser, "file://" + path.join(WEB, "index.html"), "wasm");
        try {
          await clickKeys(page, "see you tom");
          assert.ok(texts(await bar(page)).includes("tomorrow"));
          assert.deepStrictEqual(page.errors, []);
        } finally {
          await page.closeAll();
        }
      });
    }
  } finally {
    for (const c of closers.reverse()) await c();
  }
  console.log(`web tests: ${passes} passed, ${failures} failed`);
  process.exit(failures ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
