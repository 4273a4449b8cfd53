#!/usr/bin/env node
// ONNX Runtime (npm onnxruntime-node, native CPU library) as the LM-step peer.
//
//   node ort_peer.js --model LM.onnx --ids IDS.txt --runs N --warmup W --out OUT.json
//
// Requires onnxruntime-node resolvable from NODE_PATH (run_peers.sh installs it
// into a cache folder with `npm install --ignore-scripts`). One session with
// intraOpNumThreads 1, interOpNumThreads 1, sequential execution, all graph
// optimizations. The graph is train/export.py's single step: token int64 [1]
// and the state pairs "<name>_in" / "<name>_out"; each step feeds the previous
// step's "_out" tensors as the "_in" inputs (state carried); the tokens are
// IDS.txt's ids (one a line: the test file encoded by torch_peer.py --write-ids),
// cycled; --warmup steps run first, untimed.
//
// Each step is timed with process.hrtime.bigint() around `await session.run()`
// (the binding runs the graph on the calling thread; the await adds the
// promise round trip, which a Node user pays too). Output JSON: runs,
// step_us {p50, p99, mean, max}, first_step_us, init_ms (session creation),
// peak_rss_bytes (process.resourceUsage().maxRSS, KiB -> bytes; the whole Node
// process), library files and bytes (libonnxruntime.so* and the N-API
// binding), versions.
'use strict';

const fs = require('fs');
const path = require('path');

function parseArgs(argv) {
  const a = {runs: 10000, warmup: 100};
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i];
    const v = argv[i + 1];
    if (v === undefined) throw new Error(`missing value for ${k}`);
    if (k === '--model') a.model = v;
    else if (k === '--out') a.out = v;
    else if (k === '--ids') a.ids = v;
    else if (k === '--runs') a.runs = Number(v);
    else if (k === '--warmup') a.warmup = Number(v);
    else throw new Error(`unknown argument ${k}`);
  }
  if (!a.model || !a.out || !a.ids) throw new Error('--model, --ids and --out are required');
  if (!Number.isInteger(a.runs) || a.runs < 1 || !Number.isInteger(a.warmup) || a.warmup < 1) {
    throw new Error('--runs and --warmup must be integers >= 1');
  }
  return a;
}

function percentile(sorted, p) {
  // Nearest rank, as hunch bench.
  const k = Math.max(1, Math.min(sorted.length, Math.ceil((p / 100) * sorted.length - 1e-9)));
  return sorted[k - 1];
}

function libraryFiles(pkgDir) {
  const dir = path.join(pkgDir, 'bin', 'napi-v6', process.platform, process.arch);
  const files = [];
  for (const name of fs.readdirSync(dir).sort()) {
    if (name.startsWith('libonnxruntime') || name.endsWith('.node')) {
      const p = path.join(dir, name);
      files.push({path: p, bytes: fs.statSync(p).size});
    }
  }
  return files;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const ort = require('onnxruntime-node');
  const pkgDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
  const version = require('onnxruntime-node/package.json').version;

  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(args.model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
  });
  const initMs = Number(process.hrtime.bigint() - t0) / 1e6;

  if (!session.inputNames.includes('token') || !session.outputNames.includes('log_probs')) {
    throw new Error(`${args.model}: not a hunch step graph (inputs ${session.inputNames})`);
  }
  const inMeta = {};
  for (const m of session.inputMetadata) inMeta[m.name] = m;
  const stateNames = session.inputNames.filter((n) => n.endsWith('_in')).map((n) => n.slice(0, -3));
  for (const n of stateNames) {
    if (!session.outputNames.includes(n + '_out')) throw new Error(`${args.model}: ${n}_in has no ${n}_out`);
    const m = inMeta[n + '_in'];
    if (!m || m.type !== 'float32' || !m.shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new Error(`${args.model}: state ${n}_in must be float32 with a fixed shape`);
    }
  }
  const ids = fs.readFileSync(args.ids, 'utf8').split('\n').filter((l) => l !== '').map(Number);
  if (ids.length === 0 || !ids.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new Error(`${args.ids}: expected one token id per line`);
  }

  // The token tensor of step k, made outside the timed region (made per step
  // rather than all up front, which would add their memory to the peak RSS).
  const token = (k) => new ort.Tensor('int64', BigInt64Array.from([BigInt(ids[k % ids.length])]), [1]);
  let feeds = {};
  for (const n of stateNames) {
    const shape = inMeta[n + '_in'].shape;
    feeds[n + '_in'] = new ort.Tensor('float32', new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
  }
  const step = async (token) => {
    feeds.token = token;
    const res = await session.run(feeds);
    const next = {};
    for (const n of stateNames) next[n + '_in'] = res[n + '_out'];
    feeds = next;
    return res;
  };

  const f0 = process.hrtime.bigint();
  await step(token(0));
  const firstUs = Number(process.hrtime.bigint() - f0) / 1e3;
  for (let k = 1; k < args.warmup; ++k) await step(token(k));
  const times = new Float64Array(args.runs);
  for (let k = 0; k < args.runs; ++k) {
    const t = token(args.warmup + k);
    const a = process.hrtime.bigint();
    await step(t);
    times[k] = Number(process.hrtime.bigint() - a) / 1e3;
  }
  const sorted = Array.from(times).sort((x, y) => x - y);
  const libs = libraryFiles(pkgDir);
  const out = {
    runs: args.runs,
    warmup: args.warmup,
    onnxruntime_node: version,
    node: process.version,
    init_ms: initMs,
    first_step_us: firstUs,
    step_us: {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      mean: sorted.reduce((x, y) => x + y, 0) / sorted.length,
      max: sorted[sorted.length - 1],
    },
    peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
    library_bytes: libs.filter((f) => path.basename(f.path).startsWith('libonnxruntime'))
        .reduce((x, f) => x + f.bytes, 0),
    library_files: libs,
    session_options: {intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential',
      graphOptimizationLevel: 'all', executionProviders: ['cpu']},
  };
  const tmp = args.out + '.tmp';
  fs.writeFileSync(tmp, JSON.stringify(out, null, 1) + '\n');
  fs.renameSync(tmp, args.out);
}

main().catch((e) => {
  process.stderr.write(`ort_peer.js: error: ${e.message}\n`);
  process.exit(2);
});
