// The example page (examples/markdown-web) in headless Chromium: the
// generated glue loads over HTTP with fetch, markdown typed into the
// textarea comes back as HTML from wasm, and a second module calls the DOM
// through Web API imports with externref values. Saves a screenshot to
// target/js-tests/markdown-web.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, intertypeBin } from './lib/bindgen.mjs';
import { build } from '../../examples/markdown-web/build.mjs';
import { serve } from '../../examples/markdown-web/serve.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
let server;
let browser;
let page;
const errors = [];

before(async () => {
  build({ bin: intertypeBin() });
  server = await serve();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
  page.on('pageerror', (e) => errors.push(e));
  page.on('console', (m) => m.type() === 'error' && errors.push(new Error(m.text())));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 20_000 });
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('the page renders its initial markdown with wasm', async () => {
  const html = await page.locator('#preview').innerHTML();
  assert.match(html, /<h1>Interface types<\/h1>/);
  assert.match(html, /<strong>WebAssembly<\/strong>/);
  assert.deepEqual(errors, []);
});

test('typing markdown updates the preview', async () => {
  await page.fill('#source', '');
  await page.locator('#source').pressSequentially('# Typed title\n\nSome *emphasis*, a [link](https://example.org) & `code`.\n\n## Second');
  await page.waitForFunction(() => document.querySelector('#preview h2')?.textContent === 'Second');
  const html = await page.locator('#preview').innerHTML();
  assert.equal(
    html,
    '<h1>Typed title</h1>\n<p>Some <em>emphasis</em>, a <a href="https://example.org">link</a> &amp; <code>code</code>.</p>\n<h2>Second</h2>\n',
  );
  // Non-ASCII text crosses the boundary in both directions.
  await page.fill('#source', '# 日本語 ☃ 😀');
  await page.waitForFunction(() => document.querySelector('#preview h1')?.textContent === '日本語 ☃ 😀');
});

test('wasm calls DOM APIs through externref imports', async () => {
  await page.fill('#source', '# One\n\n## Two\n\n### Three');
  await page.waitForFunction(() => document.querySelectorAll('#outline li').length === 3);
  const items = await page.$$eval('#outline li', (lis) => lis.map((li) => [li.id, li.textContent]));
  assert.deepEqual(items, [['outline-0', 'One'], ['outline-1', 'Two'], ['outline-2', 'Three']]);
  // Directly: the element wasm created (an externref) comes back to JS as
  // the very DOM node, already in the document.
  const result = await page.evaluate(() => {
    const parent = document.createElement('section');
    document.body.append(parent);
    const el = window.demo.ui.add_item(parent, 'p', 'made by wasm', 'from-wasm');
    return {
      same: el === document.getElementById('from-wasm'),
      isElement: el instanceof HTMLParagraphElement,
      parentOk: el.parentNode === parent,
      text: el.textContent,
    };
  });
  assert.deepEqual(result, { same: true, isElement: true, parentOk: true, text: 'made by wasm' });
});

test('screenshot', async () => {
  await page.fill('#source', '# Interface types\n\nRendered by **WebAssembly**, glue by `intertype bindgen js`.\n\n## Outline\n\n* drawn by wasm\n* through `document.createElement`');
  await page.waitForFunction(() => document.querySelectorAll('#outline li').length === 2);
  const dir = path.join(ROOT, 'target', 'js-tests');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'markdown-web.png');
  const png = await page.screenshot({ path: file });
  assert.ok(png.length > 1000);
  console.log(`screenshot: ${file}`);
  assert.deepEqual(errors, []);
});
