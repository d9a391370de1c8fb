// `bindgen js --link` in headless Chromium: the glue of a UTF-8 module
// linked to the hand-written UTF-16 module of the adapter compiler's tests,
// loaded over HTTP, strings transcoded memory to memory in the page — in
// the adapter module the page fetches (`app.adapters.wasm`: Chromium has
// wasm multi-memory) and in JS (`--fuse-in-js`, where UTF-8 is validated by
// the glue's own loop, without Node's `isUtf8`) — and a hostile callee's
// invalid UTF-8 reported against it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, intertypeBin } from './lib/bindgen.mjs';
import { greeter, watFile } from './lib/link.mjs';
import { serve } from '../../examples/markdown-web/serve.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
let server;
let browser;
let page;

before(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'intertype-link-web-'));
  const utf16 = path.join(ROOT, 'crates/intertype-adapt/tests/fixtures/greet-utf16.wat');
  const bad = greeter('B:', null, {
    core: `(func $greet_ (export "greet_") (param i32 i32) (result i32 i32)
      (i32.store16 (i32.const 3000) (i32.const 0xffc3)) i32.const 3000 i32.const 2)`,
  });
  const bin = intertypeBin();
  for (const [suffix, flags] of [['', []], ['-js', ['--fuse-in-js']]]) {
    execFileSync(bin, ['bindgen', 'js', watFile(greeter('A:', 'lib')), '--out-dir', dir, '--name', `app${suffix}`, '--link', `lib=${utf16}`, ...flags]);
    execFileSync(bin, ['bindgen', 'js', watFile(greeter('A:', 'lib')), '--out-dir', dir, '--name', `bad${suffix}`, '--link', `lib=${watFile(bad)}`, ...flags]);
  }
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>linked</title>');
  server = await serve(dir);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
});

after(async () => {
  await browser?.close();
  server?.close();
});

for (const [suffix, mechanism] of [['', 'wasm'], ['-js', 'js']]) {
  test(`a link fused in ${mechanism} transcodes UTF-8 to UTF-16 and back in the browser`, async () => {
    const out = await page.evaluate(async (file) => {
      const { instantiate, linkReport } = await import(file);
      const m = await instantiate();
      return { report: linkReport.map((r) => r.mechanism), short: m.greet('Zoë 🦀'), long: m.greet('ü'.repeat(5000)).length };
    }, `/app${suffix}.js`);
    assert.deepEqual(out.report, [mechanism]);
    assert.equal(out.short, 'A:Hello, Zoë 🦀');
    assert.equal(out.long, 'A:Hello, '.length + 5000);
  });

  test(`invalid UTF-8 from the callee is reported against it in the browser (fused in ${mechanism})`, async () => {
    const message = await page.evaluate(async (file) => {
      const { instantiate } = await import(file);
      const m = await instantiate();
      try {
        m.greet('x');
        return 'no error';
      } catch (e) {
        return `${e.constructor.name}: ${e.message}`;
      }
    }, `/bad${suffix}.js`);
    assert.match(message, /^RuntimeError: in module "lib" \(a fused call\): invalid UTF-8/);
  });
}
