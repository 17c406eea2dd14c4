#!/usr/bin/env node
// Runs TypeScript notebooks headless: `node notebooks/run-notebook.js [file.ipynb ...]`.
// Code cells run in order in one module scope (later cells see earlier cells' bindings), each
// compiled by swc; `@fleetfm/<lib>` resolves to the compiled libs in dist/ (`npm run build`).
// Outputs (console lines, errors) are written back into an executed copy under
// notebooks/out/<name>.ipynb, and the process exits non-zero when a cell fails.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const ROOT = path.resolve(__dirname, '..');
const DIST_LIBS = path.join(ROOT, 'dist', 'libs');
const OUT_DIR = path.join(__dirname, 'out');

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolve(request, parent, ...rest) {
  const match = /^@fleetfm\/([a-z-]+)$/.exec(request);
  if (match) request = path.join(DIST_LIBS, match[1], 'src', 'index.js');
  return originalResolve.call(this, request, parent, ...rest);
};

function sourceOf(cell) {
  return Array.isArray(cell.source) ? cell.source.join('') : String(cell.source);
}

async function runNotebook(file) {
  const notebook = JSON.parse(fs.readFileSync(file, 'utf8'));
  const cells = notebook.cells.filter((c) => c.cell_type === 'code');
  // One async function body so `await` works at cell top level and bindings carry over.
  // Imports cannot live inside a function: hoist them to the module top.
  const imports = [];
  const importRe = /^import\s[\s\S]*?from\s+['"][^'"]+['"];?[ \t]*$/gm;
  const marker = (i) => `\n__cell(${i});\n`;
  const body = cells
    .map((c, i) => marker(i) + sourceOf(c).replace(importRe, (m) => (imports.push(m), '')))
    .join('\n');
  const program = `${imports.join('\n')}\nexport default async function __notebook(__cell) {\n${body}\n}`;
  const { code } = transformSync(program, {
    filename: path.basename(file) + '.ts',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  const mod = new Module(file, module);
  mod.filename = path.join(__dirname, path.basename(file) + '.js');
  mod.paths = Module._nodeModulePaths(__dirname);
  mod._compile(code, mod.filename);

  const outputs = cells.map(() => []);
  let current = -1;
  const originalLog = console.log;
  console.log = (...args) => {
    const text = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a, null, 2))).join(' ');
    if (current >= 0) outputs[current].push(`${text}\n`);
    originalLog(text);
  };
  const started = Date.now();
  let failure;
  try {
    await mod.exports.default((i) => {
      current = i;
      originalLog(`--- cell ${i + 1}/${cells.length}`);
    });
  } catch (err) {
    failure = err;
  } finally {
    console.log = originalLog;
  }
  cells.forEach((cell, i) => {
    cell.outputs = outputs[i].length > 0 ? [{ output_type: 'stream', name: 'stdout', text: outputs[i] }] : [];
    cell.execution_count = i <= current ? i + 1 : null;
  });
  if (failure && current >= 0) {
    cells[current].outputs.push({
      output_type: 'error',
      ename: failure.name ?? 'Error',
      evalue: String(failure.message ?? failure),
      traceback: String(failure.stack ?? failure).split('\n'),
    });
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });
  fs.writeFileSync(path.join(OUT_DIR, path.basename(file)), `${JSON.stringify(notebook, null, 1)}\n`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (failure) {
    console.error(`FAILED ${path.basename(file)} in cell ${current + 1} after ${seconds}s: ${failure.stack ?? failure}`);
    return false;
  }
  console.log(`ran ${path.basename(file)}: ${cells.length} cells in ${seconds}s`);
  return true;
}

async function main() {
  const args = process.argv.slice(2);
  const files = args.length > 0
    ? args.map((f) => path.resolve(f))
    : fs.readdirSync(__dirname).filter((f) => f.endsWith('.ipynb')).sort().map((f) => path.join(__dirname, f));
  if (!fs.existsSync(DIST_LIBS)) {
    console.error('dist/ is missing: run `npm run build` first');
    process.exit(2);
  }
  let ok = true;
  for (const file of files) ok = (await runNotebook(file)) && ok;
  process.exit(ok ? 0 : 1);
}

main();
