// The page: a text area, a suggestion bar of three, an on-screen keyboard
// drawn from the engine's layout, and the typing rules of a phone keyboard
// (autocorrect on space, Backspace undoes it, learning from every finished
// word). The engine is reached through js/backend.js.
"use strict";

(() => {
  const N_SUGGESTIONS = 3;
  const LONG_PRESS_MS = 600;
  const MAX_CONTEXT = 1000;     // code points of context sent
  const MAX_TYPED = 64;         // code points of a word the engine is asked about
  // A word is letters, combining marks, digits and apostrophes.
  const WORD_END = /[\p{L}\p{M}\p{N}'’]+$/u;
  const WORD_CHAR = /^[\p{L}\p{M}\p{N}'’]$/u;
  const BENCH_TEXT =
    "I will see you tomorrow at the station. Thanks for the quick reply, I think we should meet " +
    "again next week. The weather has been lovely this morning so we went for a walk in the park.";

  const $ = (id) => document.getElementById(id);
  const ta = $("text");
  const barEl = $("bar");
  const kbEl = $("keyboard");
  const statusEl = $("status");

  let backend = null;
  let layout = null;
  let shift = false;
  let sigma = 0;
  // The touches of the word being typed: {start, chars: [code points], touches: [{x, y} | null]}.
  let touchWord = null;
  // The autocorrection the last Space made, undone by a Backspace right after it.
  let lastAutocorrect = null;
  // A word whose autocorrection was undone: Space keeps it as typed.
  let keepTyped = null;
  // The suggestions of one editing state: {key, promise, result}.
  let current = null;
  const latencies = [];
  const calls = [];
  let touchCommits = 0;  // learn calls that carried the word's touches
  let rand = Math.random;

  // ---- small helpers ------------------------------------------------------

  // A seeded generator (mulberry32) for ?seed=N: the same noise every run.
  function seeded(seed) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function setStatus(msg, isError) {
    statusEl.textContent = msg;
    statusEl.classList.toggle("error", !!isError);
  }

  function fail(e) {
    console.error(e);
    setStatus(String(e && e.message ? e.message : e), true);
  }

  function percentile(sorted, p) {
    if (!sorted.length) return NaN;
    return sorted[Math.min(sorted.length - 1, Math.round((p / 100) * (sorted.length - 1)))];
  }

  function ms(v) {
    return v < 10 ? v.toFixed(2) : v.toFixed(1);
  }

  // Every input action runs in order, one at a time (Space and taps wait for
  // the suggestions of the state they act on).
  let queue = Promise.resolve();
  function enqueue(fn) {
    queue = queue.then(fn).catch(fail);
    return queue;
  }

  // Learning calls go out in order; the page does not wait for them.
  let learning = Promise.resolve();
  function tell(fn) {
    learning = learning.then(fn).catch(fail);
    return learning;
  }

  // ---- the text and the word being typed ----------------------------------

  function state() {
    const value = ta.value;
    const caret = ta.selectionStart;
    const before = value.slice(0, caret);
    const m = before.match(WORD_END);
    const typed = m ? m[0] : "";
    const start = caret - typed.length;
    return { value, caret, selEnd: ta.selectionEnd, typed, start, context: value.slice(0, start) };
  }

  // The touches of `s.typed` when every code point of it came from an
  // on-screen key press, else null (characters only).
  function touchesOf(s) {
    const chars = [...s.typed];
    if (!touchWord || touchWord.start !== s.start || touchWord.chars.join("") !== s.typed) return null;
    if (!chars.length || touchWord.touches.some((t) => !t)) return null;
    return touchWord.touches.slice();
  }

  function replace(start, end, text) {
    ta.setRangeText(text, start, end, "end");
  }

  function segmentBefore(text) {
    if (!text) return "";
    if (typeof Intl !== "undefined" && Intl.Segmenter) {
      const segs = [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)];
      return segs[segs.length - 1].segment;
    }
    return [...text].pop();
  }

  // ---- suggestions ----------------------------------------------------------

  // The engine reads the context's last line, a few dozen words back: the
  // page sends at most its last MAX_CONTEXT code points (within the
  // server's 4096-byte limit).
  function requestOf(s, complete) {
    const cps = [...s.context];
    const context = cps.length > MAX_CONTEXT ? cps.slice(-MAX_CONTEXT).join("") : s.context;
    return { context, typed: s.typed, touches: touchesOf(s), n: N_SUGGESTIONS, complete: !!complete };
  }

  function keyOf(req) {
    return JSON.stringify([req.context, req.typed, req.touches, req.complete]);
  }

  function recordLatency(pageMs, tookUs) {
    latencies.push(pageMs);
    if (latencies.length > 500) latencies.shift();
    const sorted = latencies.slice().sort((a, b) => a - b);
    let text = `suggest ${ms(pageMs)} ms`;
    if (backend.mode === "server" && typeof tookUs === "number") text += ` (engine ${ms(tookUs / 1000)} ms)`;
    text += ` · p50 ${ms(percentile(sorted, 50))} · p99 ${ms(percentile(sorted, 99))} ms over ${sorted.length}`;
    $("latency").textContent = text;
  }

  // One suggest call; the latency of the bar's calls is shown.
  function ask(req, shown) {
    if ([...req.typed].length > MAX_TYPED) return Promise.resolve([]);
    const t0 = performance.now();
    return backend.suggest(req).then((r) => {
      if (shown) recordLatency(performance.now() - t0, r.took_us);
      return r.suggestions;
    });
  }

  // The bar for the current text, fetched once per editing state: the
  // engine's suggestions for the word being typed, and what Space will do
  // with it. As the engine's own keyboard loop does
  // (examples/typing_session.c), the finished word is asked about with
  // complete = true; when that answer's first suggestion is flagged
  // autocorrect, Space puts it in. The bar shows it highlighted (in the
  // first slot when the typing answer lacks it), so what is highlighted is
  // what Space does.
  function suggestions() {
    const s = state();
    const req = requestOf(s, false);
    const key = keyOf(req);
    if (current && current.key === key) return current.promise;
    const entry = { key, result: null, typed: s.typed };
    const typing = ask(req, true);
    entry.atSpace = s.typed ? ask(requestOf(s, true), false) : Promise.resolve([]);
    entry.promise = Promise.all([typing, entry.atSpace]).then(([list, done]) => {
      // Not for a word whose autocorrection the user just undid.
      const kept = keepTyped && keepTyped.start === s.start && keepTyped.typed === s.typed;
      const fix = done[0] && done[0].autocorrect && done[0].text !== s.typed && !kept ? done[0] : null;
      let bar = list.map((x) => ({ ...x, autocorrect: false }));
      if (fix) {
        const i = bar.findIndex((x) => x.text === fix.text);
        if (i >= 0) bar[i].autocorrect = true;
        else bar = [{ ...fix }, ...bar].slice(0, N_SUGGESTIONS);
      }
      entry.result = bar;
      if (current === entry) render(bar);
      return bar;
    });
    entry.promise.catch(fail);
    current = entry;
    return entry.promise;
  }

  function refresh() {
    suggestions().catch(() => {});
  }

  function invalidate() {
    current = null;
    refresh();
  }

  function render(list) {
    const slots = barEl.querySelectorAll(".slot");
    slots.forEach((slot, i) => {
      slot.textContent = "";
      const s = list[i];
      if (!s) return;
      const b = document.createElement("div");
      b.className = "suggestion" + (s.autocorrect ? " autocorrect" : "");
      b.setAttribute("role", "option");
      b.dataset.text = s.text;
      b.dataset.kind = s.kind;
      b.dataset.autocorrect = s.autocorrect ? "1" : "0";
      const word = document.createElement("span");
      word.className = "word";
      word.textContent = s.kind === "literal" ? `“${s.text}”` : s.text;
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = s.autocorrect ? "autocorrect on space" : s.kind.replace("_", " ");
      b.append(word, kind);
      const forgettable = s.kind !== "emoji" && s.kind !== "phrase";
      if (forgettable) {
        const x = document.createElement("button");
        x.type = "button";
        x.className = "forget";
        x.title = `Forget “${s.text}”`;
        x.setAttribute("aria-label", x.title);
        x.textContent = "×";
        // The × is not a tap on the suggestion.
        x.addEventListener("pointerdown", (e) => e.stopPropagation());
        x.addEventListener("pointerup", (e) => e.stopPropagation());
        x.addEventListener("click", (e) => {
          e.stopPropagation();
          enqueue(() => forget(s.text));
        });
        b.append(x);
      }
      let timer = null, longPressed = false, pressed = false;
      b.addEventListener("pointerdown", (e) => {
        e.preventDefault();
        longPressed = false;
        pressed = true;
        if (forgettable) {
          timer = setTimeout(() => {
            longPressed = true;
            enqueue(() => forget(s.text));
          }, LONG_PRESS_MS);
        }
      });
      const cancel = () => clearTimeout(timer);
      for (const ev of ["pointerleave", "pointercancel"]) {
        b.addEventListener(ev, () => {
          cancel();
          pressed = false;
        });
      }
      b.addEventListener("pointerup", (e) => {
        cancel();
        const tap = pressed && !longPressed && e.button === 0;
        pressed = false;
        if (!tap) return;
        enqueue(() => pick(s));
      });
      b.addEventListener("contextmenu", (e) => e.preventDefault());
      slot.append(b);
    });
  }

  // ---- editing actions --------------------------------------------------------

  function typeChar(ch, touch) {
    lastAutocorrect = null;
    const s = state();
    if (WORD_CHAR.test(ch)) {
      if (!touchWord || touchWord.start !== s.start || touchWord.chars.join("") !== s.typed || s.selEnd !== s.caret) {
        const chars = [...s.typed];
        touchWord = { start: s.start, chars, touches: chars.map(() => null) };
      }
      replace(s.caret, s.selEnd, ch);
      touchWord.chars.push(ch);
      touchWord.touches.push(touch || null);
    } else {
      // Punctuation (or any other character) ends the word as typed.
      if (s.typed) commit(s.typed, s.context, "typed", touchesOf(s));
      replace(s.caret, s.selEnd, ch);
      touchWord = null;
    }
    keepTyped = null;
    refresh();
  }

  // Commits `word` after `context`; `touches` (or null): the touches that
  // typed it, one per code point, which teach the engine the user's touch
  // spread (Session::LearnTouches).
  function commit(word, context, source, touches) {
    if ([...word].length > MAX_TYPED) return;
    const t = touches && touches.length === [...word].length ? touches : null;
    tell(() => backend.learn(word, [...context].slice(-MAX_CONTEXT).join(""), source, t));
  }

  // Space ends the word: the autocorrection the bar shows replaces it.
  async function space() {
    lastAutocorrect = null;
    const s = state();
    if (s.typed && s.selEnd === s.caret) {
      const touches = touchesOf(s);
      const fix = (await suggestions()).find((x) => x.autocorrect);
      const kept = keepTyped && keepTyped.start === s.start && keepTyped.typed === s.typed;
      if (fix && !kept) {
        replace(s.start, s.caret, fix.text + " ");
        lastAutocorrect = {
          start: s.start, typed: s.typed, correction: fix.text, context: s.context,
          touches: touchWord && touchWord.start === s.start ? touchWord : null,
          value: ta.value, caret: ta.selectionStart,
        };
        commit(fix.text, s.context, "autocorrected", touches);
        setStatus(`Autocorrected “${s.typed}” to “${fix.text}”; Backspace undoes it.`);
      } else {
        replace(s.caret, s.caret, " ");
        commit(s.typed, s.context, "typed", touches);
      }
    } else {
      replace(s.caret, s.selEnd, " ");
    }
    touchWord = null;
    keepTyped = null;
    refresh();
  }

  function backspace() {
    const ac = lastAutocorrect;
    lastAutocorrect = null;
    if (ac && ta.value === ac.value && ta.selectionStart === ac.caret && ta.selectionEnd === ac.caret) {
      replace(ac.start, ac.caret, ac.typed);
      touchWord = ac.touches;
      keepTyped = { start: ac.start, typed: ac.typed };
      // The correction was committed: take it back, and tell the engine the
      // user wants the word as typed.
      const context = [...ac.context].slice(-MAX_CONTEXT).join("");
      tell(() => backend.unlearn(ac.correction, context));
      tell(() => backend.rejectAutocorrect(ac.typed, ac.correction, context));
      setStatus(`Kept “${ac.typed}”: the engine was told not to correct it to “${ac.correction}”.`);
      invalidate();
      return;
    }
    const s = state();
    if (s.selEnd !== s.caret) {
      replace(s.caret, s.selEnd, "");
      touchWord = null;
    } else if (s.caret > 0) {
      const last = segmentBefore(s.value.slice(0, s.caret));
      replace(s.caret - last.length, s.caret, "");
      if (touchWord && touchWord.start === s.start && touchWord.chars.join("") === s.typed && s.typed) {
        const removed = [...last].length;
        touchWord.chars.splice(-removed, removed);
        touchWord.touches.splice(-removed, removed);
      }
    }
    refresh();
  }

  function enter() {
    lastAutocorrect = null;
    const s = state();
    if (s.typed && s.selEnd === s.caret) commit(s.typed, s.context, "typed", touchesOf(s));
    replace(s.caret, s.selEnd, "\n");
    touchWord = null;
    keepTyped = null;
    refresh();
  }

  // A tapped suggestion replaces the word being typed (or goes in after the
  // text when nothing is typed), followed by a space.
  function pick(sug) {
    lastAutocorrect = null;
    const s = state();
    let context = s.context;
    let lead = "";
    if (!s.typed && context && !/\s$/.test(context)) lead = " ";
    replace(s.start, s.selEnd, lead + sug.text + " ");
    context += lead;
    if (sug.kind !== "emoji") {
      for (const word of sug.text.split(/\s+/).filter(Boolean)) {
        commit(word, context, "picked");
        context += word + " ";
      }
    }
    touchWord = null;
    keepTyped = null;
    refresh();
  }

  async function forget(word) {
    await backend.forget(word);
    setStatus(`Forgot what you taught of “${word}” (the model's own words stay).`);
    invalidate();
  }

  // ---- the on-screen keyboard ------------------------------------------------

  function drawKeyboard() {
    const b = HunchLayout.bounds(layout);
    const rowsH = b.maxY - b.minY;
    const extra = [  // the page's own row below the engine's keys (widths in layout widths)
      { id: "shift", label: "⇧", w: 0.15 },
      { id: "char", label: ",", w: 0.1 },
      { id: "space", label: "space", w: 0.4 },
      { id: "char", label: ".", w: 0.1 },
      { id: "backspace", label: "⌫", w: 0.15 },
      { id: "enter", label: "⏎", w: 0.1 },
    ];
    const width = b.maxX - b.minX;
    const height = rowsH + b.keyH;
    kbEl.textContent = "";
    kbEl.style.aspectRatio = `${width} / ${height}`;
    const pct = (v, total) => `${(100 * v) / total}%`;
    const gap = 0.04;
    const place = (el, x, y, w, h) => {
      el.style.left = pct(x + gap * b.keyW, width);
      el.style.top = pct(y + gap * b.keyH, height);
      el.style.width = pct(w - 2 * gap * b.keyW, width);
      el.style.height = pct(h - 2 * gap * b.keyH, height);
    };
    for (const k of layout.keys) {
      const el = document.createElement("div");
      el.className = "key";
      el.dataset.label = k.label;
      el.textContent = k.label;
      place(el, k.x - b.minX, k.y - b.minY, k.w, k.h);
      el.addEventListener("pointerdown", (e) => {
        e.preventDefault();
        flash(el);
        const touch = HunchLayout.noisyTouch(layout, k, sigma, rand);
        const hit = sigma > 0 ? HunchLayout.keyAt(layout, touch) : k;
        showTouch(touch, b, width, height);
        const ch = shift ? hit.label.toUpperCase() : hit.label;
        setShift(false);
        enqueue(() => typeChar(ch, touch));
      });
      kbEl.append(el);
    }
    let x = 0;
    for (const k of extra) {
      const el = document.createElement("div");
      el.className = "key special";
      el.dataset.label = k.id === "char" ? k.label : k.id;
      el.textContent = k.label;
      place(el, x, rowsH, k.w * width, b.keyH);
      x += k.w * width;
      el.addEventListener("pointerdown", (e) => {
        e.preventDefault();
        flash(el);
        if (k.id === "shift") setShift(!shift);
        else if (k.id === "space") enqueue(space);
        else if (k.id === "backspace") enqueue(backspace);
        else if (k.id === "enter") enqueue(enter);
        else enqueue(() => typeChar(k.label, null));
      });
      kbEl.append(el);
    }
  }

  function flash(el) {
    el.classList.add("down");
    setTimeout(() => el.classList.remove("down"), 120);
  }

  function setShift(on) {
    shift = on;
    const el = kbEl.querySelector('[data-label="shift"]');
    if (el) el.classList.toggle("on", on);
  }

  // A red dot where the (noisy) touch landed.
  function showTouch(t, b, width, height) {
    if (!(sigma > 0)) return;
    const dot = document.createElement("div");
    dot.className = "touch-dot";
    dot.style.left = `${(100 * (t.x - b.minX)) / width}%`;
    dot.style.top = `${(100 * (t.y - b.minY)) / height}%`;
    kbEl.append(dot);
    requestAnimationFrame(() => requestAnimationFrame(() => (dot.style.opacity = "0")));
    setTimeout(() => dot.remove(), 900);
  }

  // ---- the physical keyboard ---------------------------------------------------

  function onKeyDown(e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (e.target !== ta && e.target !== document.body) return;
    if (e.key === "Backspace") {
      e.preventDefault();
      enqueue(backspace);
    } else if (e.key === "Enter") {
      e.preventDefault();
      enqueue(enter);
    } else if (e.key === " ") {
      e.preventDefault();
      enqueue(space);
    } else if (e.key.length && [...e.key].length === 1) {
      e.preventDefault();
      enqueue(() => typeChar(e.key, null));
    }
  }

  // ---- latency measurement -------------------------------------------------------

  // performance.now() around one suggest call per key of BENCH_TEXT typed
  // word by word (the next-word call before each word, then one per prefix),
  // after one warm-up call.
  async function bench(text) {
    text = text || BENCH_TEXT;
    const words = text.split(" ");
    await backend.suggest({ context: "", typed: "", n: N_SUGGESTIONS, complete: false });
    const times = [];
    let context = "";
    for (const w of words) {
      const m = w.match(/^[\p{L}\p{M}\p{N}'’]+/u);
      const word = m ? m[0] : "";
      const cps = [...word];
      for (let i = 0; i <= cps.length; ++i) {
        const t0 = performance.now();
        await backend.suggest({ context, typed: cps.slice(0, i).join(""), n: N_SUGGESTIONS, complete: false });
        times.push(performance.now() - t0);
      }
      context += w + " ";
    }
    times.sort((a, b) => a - b);
    return {
      mode: backend.mode,
      calls: times.length,
      p50_ms: percentile(times, 50),
      p99_ms: percentile(times, 99),
      max_ms: times[times.length - 1],
      mean_ms: times.reduce((a, b) => a + b, 0) / times.length,
      cross_origin_isolated: !!self.crossOriginIsolated,
      user_agent: navigator.userAgent,
    };
  }

  // ---- start ------------------------------------------------------------------------

  function userId() {
    const keyName = "hunch.web.user";
    let id = null;
    try {
      id = localStorage.getItem(keyName);
      if (!id) {
        id = "web-" + Array.from(crypto.getRandomValues(new Uint8Array(6)), (x) => x.toString(16).padStart(2, "0")).join("");
        localStorage.setItem(keyName, id);
      }
    } catch (e) {
      id = "web-anonymous";
    }
    return id;
  }

  async function start() {
    const params = new URLSearchParams(location.search);
    if (params.has("seed")) rand = seeded(Number(params.get("seed")) || 0);
    if (params.has("sigma")) $("sloppy").value = params.get("sigma");
    sigma = Number($("sloppy").value);
    $("sloppy-value").textContent = sigma.toFixed(2);
    $("sloppy").addEventListener("input", () => {
      sigma = Number($("sloppy").value);
      $("sloppy-value").textContent = sigma.toFixed(2);
    });
    setStatus("Loading the engine…");
    backend = await hunchOpenBackend(userId());
    layout = backend.layout;
    // What the page told the engine, in order (for tests and the console);
    // a learn's touches are counted in touchCommits, not listed.
    for (const op of ["learn", "unlearn", "rejectAutocorrect", "forget"]) {
      const fn = backend[op].bind(backend);
      backend[op] = (...args) => {
        const touches = op === "learn" ? args[3] : null;
        calls.push({ op, args: op === "learn" ? args.slice(0, 3) : args });
        if (touches) touchCommits += 1;
        return fn(...args);
      };
    }
    document.body.dataset.mode = backend.mode;
    $("mode").textContent = "mode: " + backend.label;
    const other = backend.mode === "server" ? "wasm" : "server";
    // The other mode: on-device is always there; the server only when this
    // page came from it (it asked for ?mode=wasm).
    if (backend.mode === "server" || params.get("mode") === "wasm") {
      const a = document.createElement("a");
      a.href = `?mode=${other}`;
      a.textContent = other === "wasm" ? "Run it on-device (WebAssembly)" : "Use the server";
      $("switch").append(" ", a, ".");
    }
    drawKeyboard();
    document.addEventListener("keydown", onKeyDown);
    ta.addEventListener("input", () => {  // edits the page did not make (paste, cut, drop)
      touchWord = null;
      lastAutocorrect = null;
      refresh();
    });
    for (const ev of ["click", "keyup", "focus"]) ta.addEventListener(ev, () => refresh());
    $("bench").addEventListener("click", () => enqueue(async () => {
      $("bench-result").textContent = "measuring…";
      const r = await bench();
      $("bench-result").textContent =
        `${r.calls} calls over a typed text: p50 ${ms(r.p50_ms)} ms, p99 ${ms(r.p99_ms)} ms, max ${ms(r.max_ms)} ms`;
    }));
    ta.focus();
    await suggestions();
    const sizes = backend.mode === "wasm"
      ? ` (hunch.wasm ${(backend.wasmBytes / 1024).toFixed(0)} KiB, model ${(backend.modelBytes / 1048576).toFixed(1)} MiB)`
      : "";
    setStatus(`Ready: ${backend.label}${sizes}.`);
    document.body.dataset.ready = "1";
  }

  // For tests and the console.
  window.hunchPage = {
    ready: start().catch((e) => {
      fail(e);
      document.body.dataset.ready = "error";
      throw e;
    }),
    bench: (text) => enqueue(() => null).then(() => bench(text)),
    idle: () => enqueue(() => null).then(() => (current ? current.promise : null)).then(() => learning),
    suggestions: () => (current && current.result ? current.result.slice() : null),
    calls,
    get touchCommits() { return touchCommits; },
    touchSigma: () => backend.touchSigma(),
    get mode() { return backend ? backend.mode : null; },
  };
})();
