// The two ways the page reaches the engine, behind one interface:
//   ServerBackend  the HTTP API of `hunch serve` (docs/serve.md)
//   WasmBackend    the engine compiled to WebAssembly (scripts/build_wasm.sh),
//                  driven through its C API (include/hunch/hunch.h) with ccall
// Both offer: mode, label, layout, suggest({context, typed, touches, n,
// complete}) -> {suggestions: [{text, kind, score, autocorrect}], took_us},
// learn(word, context, source, touches) (touches: those that typed the word, or
// null), touchSigma(), unlearn(word, context),
// rejectAutocorrect(typed, correction, context), forget(word).
"use strict";

class ServerBackend {
  constructor(base, layout, user) {
    this.base = base;
    this.mode = "server";
    this.label = "server";
    this.layout = layout;
    this.user = user;
  }

  // The server's layout, or null when there is no hunch server at `base`.
  static async probe(base, timeoutMs) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    try {
      const r = await fetch(base + "/v1/layout", { signal: ctl.signal, cache: "no-store" });
      if (!r.ok) return null;
      const layout = await r.json();
      return layout && Array.isArray(layout.keys) && layout.keys.length > 0 ? layout : null;
    } catch (e) {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  async post(path, body) {
    const r = await fetch(this.base + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    let data = null;
    try {
      data = await r.json();
    } catch (e) {
      data = null;
    }
    if (!r.ok) throw new Error(`${path}: ${(data && data.error) || "HTTP " + r.status}`);
    return data;
  }

  async suggest(req) {
    const body = { context: req.context, typed: req.typed, n: req.n, complete: !!req.complete, user: this.user };
    if (req.touches) body.touches = req.touches.map((t) => ({ x: t.x, y: t.y }));
    const data = await this.post("/v1/suggest", body);
    // The API's kinds are the page's (completion, correction, next_word,
    // phrase, emoji, literal: docs/serve.md).
    const suggestions = data.suggestions.map((s) => ({
      text: s.text, kind: s.kind, score: s.score, autocorrect: s.autocorrect,
    }));
    return { suggestions, took_us: data.took_us };
  }

  // `touches` (or null): the touches that typed `word`, one per code point.
  learn(word, context, source, touches) {
    const body = { user: this.user, word, context, source };
    if (touches) body.touches = touches.map((t) => ({ x: t.x, y: t.y }));
    return this.post("/v1/learn", body);
  }

  // The touch spread the engine uses for this user, in key widths.
  async touchSigma() {
    const r = await fetch("/v1/user/list?user=" + encodeURIComponent(this.user), { cache: "no-store" });
    if (!r.ok) throw new Error("/v1/user/list: HTTP " + r.status);
    return (await r.json()).touch_sigma;
  }

  unlearn(word, context) {
    return this.post("/v1/unlearn", { user: this.user, word, context });
  }

  rejectAutocorrect(typed, correction, context) {
    return this.post("/v1/reject_autocorrect", { user: this.user, typed, correction, context });
  }

  forget(word) {
    return this.post("/v1/user/forget", { user: this.user, word });
  }
}

// hunch_suggestion_kind and hunch_commit_source of include/hunch/hunch.h.
const HUNCH_KINDS = ["completion", "correction", "next_word", "phrase", "emoji", "literal"];
const HUNCH_SOURCES = { typed: 0, picked: 1, autocorrected: 2 };

function hunchLoadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error("cannot load " + src));
    document.head.appendChild(s);
  });
}

function hunchBase64Bytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; ++i) out[i] = bin.charCodeAt(i);
  return out;
}

async function hunchFetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

class WasmBackend {
  // Loads hunch.js, hunch.wasm and the model from `dir` and opens the engine
  // with `layout`. Over http(s) the binaries come with fetch; a page opened
  // from file:// cannot fetch, so there they come from the base64 script
  // files the build writes beside them (hunch.wasm.js, en.hunch.js).
  static async create(dir, layout) {
    let wasmBytes, modelBytes;
    if (location.protocol === "file:") {
      await Promise.all([hunchLoadScript(dir + "/hunch.wasm.js"), hunchLoadScript(dir + "/en.hunch.js")]);
      wasmBytes = hunchBase64Bytes(window.HUNCH_WASM_BASE64);
      modelBytes = hunchBase64Bytes(window.HUNCH_MODEL_BASE64);
      delete window.HUNCH_WASM_BASE64;
      delete window.HUNCH_MODEL_BASE64;
    } else {
      [wasmBytes, modelBytes] = await Promise.all([hunchFetchBytes(dir + "/hunch.wasm"),
                                                   hunchFetchBytes(dir + "/en.hunch")]);
    }
    await hunchLoadScript(dir + "/hunch.js");
    const Module = await createHunch({ wasmBinary: wasmBytes });
    const backend = new WasmBackend(Module, modelBytes, layout);
    backend.wasmBytes = wasmBytes.length;
    return backend;
  }

  constructor(M, modelBytes, layout) {
    this.M = M;
    this.mode = "wasm";
    this.label = "on-device (WebAssembly)";
    this.layout = layout;
    this.wasmBytes = 0;
    this.modelBytes = modelBytes.length;
    const out = M._malloc(8);  // two out-pointers: the handle and the error
    this.out = out;
    const model = M._malloc(modelBytes.length);
    M.HEAPU8.set(modelBytes, model);
    // hunch_engine_options: defaults from hunch_engine_options_init, then
    // layout_json (after struct_size, 11 4-byte fields: offset 48 on wasm32).
    // The struct grows by versions (struct_size says which: 56 bytes in
    // version 1, 60 with `load` in version 2); layout_json stays at 48.
    const structSize = 64;
    const opts = M._malloc(structSize);
    M._hunch_engine_options_init(opts);
    const size = M.getValue(opts, "i32");
    if (size < 56 || size > structSize) {
      throw new Error(`hunch_engine_options is ${size} bytes here; the page handles 56 to ${structSize}`);
    }
    const json = JSON.stringify(layout);
    const jsonLen = M.lengthBytesUTF8(json) + 1;
    const jsonPtr = M._malloc(jsonLen);
    M.stringToUTF8(json, jsonPtr, jsonLen);
    M.setValue(opts + 48, jsonPtr, "i32");
    const rc = M._hunch_engine_open_buffer_with_options(model, modelBytes.length, opts, out, out + 4);
    M._free(jsonPtr);
    M._free(opts);
    M._free(model);  // the engine copied the buffer
    this.check(rc, "hunch_engine_open_buffer_with_options");
    this.engine = M.getValue(out, "i32");
    this.check(M._hunch_session_create(this.engine, out, out + 4), "hunch_session_create");
    this.session = M.getValue(out, "i32");
    this.check(M._hunch_session_user_model(this.session, out, out + 4), "hunch_session_user_model");
    this.user = M.getValue(out, "i32");
  }

  // Throws the C API's error message when `rc` is not HUNCH_OK (0).
  check(rc, what) {
    if (rc === 0) return;
    const M = this.M;
    const err = M.getValue(this.out + 4, "i32");
    const name = M.UTF8ToString(M._hunch_status_code_name(rc));
    const msg = err ? M.UTF8ToString(err) : "";
    if (err) M._hunch_free(err);
    throw new Error(`${what}: ${name}${msg ? ": " + msg : ""}`);
  }

  async suggest(req) {
    return this.suggestSync(req);
  }

  suggestSync(req) {
    const M = this.M;
    const t0 = performance.now();
    let touches = 0, nTouches = 0;
    if (req.touches && req.touches.length) {
      nTouches = req.touches.length;
      touches = M._malloc(8 * nTouches);
      req.touches.forEach((t, i) => {
        M.setValue(touches + 8 * i, t.x, "float");
        M.setValue(touches + 8 * i + 4, t.y, "float");
      });
    }
    const rc = M.ccall("hunch_session_suggest", "number",
                       ["number", "string", "string", "number", "number", "number", "number", "number", "number"],
                       [this.session, req.context, req.typed, touches, nTouches, req.complete ? 1 : 0,
                        req.n || 3, this.out, this.out + 4]);
    if (touches) M._free(touches);
    this.check(rc, "hunch_session_suggest");
    const list = M.getValue(this.out, "i32");
    const suggestions = [];
    const count = M._hunch_suggestions_count(list);
    for (let i = 0; i < count; ++i) {
      suggestions.push({
        text: M.UTF8ToString(M._hunch_suggestions_text(list, i)),
        kind: HUNCH_KINDS[M._hunch_suggestions_kind(list, i)] || "completion",
        score: M._hunch_suggestions_score(list, i),
        autocorrect: M._hunch_suggestions_autocorrect(list, i) !== 0,
      });
    }
    M._hunch_suggestions_free(list);
    return { suggestions, took_us: (performance.now() - t0) * 1000 };
  }

  async learn(word, context, source, touches) {
    const rc = this.M.ccall("hunch_session_commit_word", "number",
                            ["number", "string", "string", "number", "number"],
                            [this.session, context, word, HUNCH_SOURCES[source], this.out + 4]);
    this.check(rc, "hunch_session_commit_word");
    if (!touches) return;
    const M = this.M;
    const xy = M._malloc(8 * touches.length);
    touches.forEach((t, i) => {
      M.setValue(xy + 8 * i, t.x, "float");
      M.setValue(xy + 8 * i + 4, t.y, "float");
    });
    const rt = M.ccall("hunch_session_learn_touches", "number", ["number", "string", "number", "number", "number"],
                       [this.session, word, xy, touches.length, this.out + 4]);
    M._free(xy);
    this.check(rt, "hunch_session_learn_touches");
  }

  // The touch spread the engine uses for this user, in key widths.
  async touchSigma() {
    return this.M._hunch_user_model_touch_sigma(this.user);
  }

  async unlearn(word, context) {
    const rc = this.M.ccall("hunch_session_unlearn_word", "number", ["number", "string", "string", "number"],
                            [this.session, context, word, this.out + 4]);
    this.check(rc, "hunch_session_unlearn_word");
  }

  async rejectAutocorrect(typed, correction, context) {
    const rc = this.M.ccall("hunch_session_reject_autocorrect", "number",
                            ["number", "string", "string", "string", "number"],
                            [this.session, context, typed, correction, this.out + 4]);
    this.check(rc, "hunch_session_reject_autocorrect");
  }

  async forget(word) {
    const rc = this.M.ccall("hunch_user_model_forget", "number", ["number", "string", "number"],
                            [this.user, word, this.out + 4]);
    this.check(rc, "hunch_user_model_forget");
  }
}

// The backend for this page: ?mode=server or ?mode=wasm force one; otherwise
// a page served over http(s) asks the server for /v1/layout and falls back
// to WebAssembly when no hunch server answers (a plain static server, or a
// page opened from file://).
async function hunchOpenBackend(user) {
  const params = new URLSearchParams(location.search);
  const want = params.get("mode");
  const base = location.origin === "null" ? "" : location.origin;
  if (want !== "wasm" && location.protocol.startsWith("http")) {
    const layout = await ServerBackend.probe(base, want === "server" ? 10000 : 2000);
    if (layout) return new ServerBackend(base, layout, user);
    if (want === "server") throw new Error("no hunch server answers GET /v1/layout at " + base);
  } else if (want === "server") {
    throw new Error("server mode needs the page served by `hunch serve` (http), not " + location.protocol);
  }
  return WasmBackend.create("wasm", HUNCH_QWERTY);
}
