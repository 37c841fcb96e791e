#!/usr/bin/env node
// Cold (initdb + start) and warm (start on existing data) times of svcdb's embedded PostgreSQL,
// plus the cost of reusing a running server. Needs `npm run build` first.
// Usage: node bench/embedded.js [runs=3]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { destroyEmbedded, ensureEmbedded, stopEmbedded } from '../dist/db/embedded.js';

const runs = Number(process.argv[2] ?? 3);
const samples = { cold: [], warm: [], reuse: [], stop: [] };

async function timed(list, fn) {
  const t = performance.now();
  await fn();
  list.push(performance.now() - t);
}

for (let i = 0; i < runs; i++) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'svcdb-bench-'));
  fs.chmodSync(root, 0o755); // the server may run as `nobody` when we are root
  try {
    await timed(samples.cold, () => ensureEmbedded(root));
    await timed(samples.stop, () => stopEmbedded(root));
    await timed(samples.warm, () => ensureEmbedded(root));
    await timed(samples.reuse, () => ensureEmbedded(root));
  } finally {
    await destroyEmbedded(root);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${Math.round(x)} ms`;
const user = process.getuid?.() === 0 ? 'root (server runs as nobody)' : `uid ${process.getuid?.()}`;
console.log(`embedded PostgreSQL, ${runs} runs, as ${user}, median of each:`);
console.log(`  cold start (initdb + start): ${ms(median(samples.cold))}   [${samples.cold.map(ms).join(', ')}]`);
console.log(`  warm start (existing data):  ${ms(median(samples.warm))}   [${samples.warm.map(ms).join(', ')}]`);
console.log(`  reuse (already running):     ${ms(median(samples.reuse))}`);
console.log(`  stop (fast shutdown):        ${ms(median(samples.stop))}`);
console.log(`  cold / warm: ${(median(samples.cold) / median(samples.warm)).toFixed(1)}x`);
