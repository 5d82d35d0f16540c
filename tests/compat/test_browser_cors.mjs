// A browser page on another origin uses the AWS SDK for JavaScript v3 against Riffle through CORS, with
// signatures verified (--credentials): Debian's Chromium, headless, driven by npm playwright-core (no
// browser is downloaded); the SDK bundled for the browser at test time by esbuild from tests/node_modules;
// the page served by a tiny static server on a second port. The page lists streams, puts a record (read
// back here with the Node SDK), and sees a wrong secret refused with AWS's error (readable only through CORS).
//
// Run: RIFFLE_BIN=build/riffle node --test tests/compat/test_browser_cors.mjs
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { KinesisClient, GetShardIteratorCommand, GetRecordsCommand } from '@aws-sdk/client-kinesis';

const here = dirname(fileURLToPath(import.meta.url));
const testsDir = dirname(here);
const bin = process.env.RIFFLE_BIN;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OWNER = '111111111111';

// What the page runs: the SDK's browser build (fetch over HTTP/1.1), exposed as window.riffle.
const PAGE_SCRIPT = `
import { KinesisClient, CreateStreamCommand, ListStreamsCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
window.riffle = async ({ endpoint, key, secret, stream }) => {
  const kinesis = new KinesisClient({ region: 'us-east-1', endpoint, maxAttempts: 1,
    credentials: { accessKeyId: key, secretAccessKey: secret } });
  try {
    if (stream) await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
    const listed = await kinesis.send(new ListStreamsCommand({}));
    const put = stream ? await kinesis.send(new PutRecordCommand({ StreamName: stream,
      Data: new TextEncoder().encode('from the browser'), PartitionKey: 'page' })) : null;
    return { ok: true, streams: listed.StreamNames, put: put && { ShardId: put.ShardId,
      SequenceNumber: put.SequenceNumber }, requestId: listed.$metadata.requestId, origin: location.origin };
  } catch (error) {
    return { ok: false, name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
  }
};
`;

let dir;
let riffle;
let endpoint;
let pages;
let pageOrigin;
let context;
let stderr = '';

before(async () => {
  assert.ok(bin, 'set RIFFLE_BIN to the riffle binary');
  assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM} (Debian chromium; run scripts/setup)`);
  dir = mkdtempSync(join(tmpdir(), 'riffle-browser-'));
  writeFileSync(join(dir, 'credentials'), '[browser]\naws_access_key_id = AKIDBROWSER\naws_secret_access_key = browser-secret\n');
  riffle = spawn(bin, ['serve', '--in-memory', '--host', '127.0.0.1', '--port', '0', '--account-id', OWNER,
    '--credentials', join(dir, 'credentials')], { stdio: ['ignore', 'pipe', 'pipe'] });
  riffle.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  endpoint = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`riffle not ready: ${stderr}`)), 20000);
    createInterface({ input: riffle.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line.replace('Riffle ready at ', '').trim());
    });
  });

  // The SDK for the browser, bundled now from tests/node_modules (nothing is fetched).
  const bundle = await build({
    stdin: { contents: PAGE_SCRIPT, resolveDir: testsDir, loader: 'js' },
    bundle: true, platform: 'browser', format: 'iife', write: false, logLevel: 'silent',
  });
  const script = bundle.outputFiles[0].text;
  const html = '<!doctype html><html><head><meta charset="utf-8"><title>riffle</title>'
    + '<script src="/sdk.js"></script></head><body>riffle browser test</body></html>';
  pages = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    } else if (req.url === '/sdk.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://localhost:${pages.address().port}`;  // another origin than Riffle's 127.0.0.1:PORT

  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  if (context) await context.close();
  if (pages) pages.close();
  if (riffle) riffle.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a page on another origin lists streams and puts a record with the JS SDK', async () => {
  const page = await context.newPage();
  await page.goto(`${pageOrigin}/`);
  const result = await page.evaluate((args) => window.riffle(args),
    { endpoint, key: 'AKIDBROWSER', secret: 'browser-secret', stream: 'from-browser' });
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.origin, pageOrigin);
  assert.notEqual(new URL(pageOrigin).origin, new URL(endpoint).origin);
  assert.deepEqual(result.streams, ['from-browser']);
  assert.match(result.requestId, /^[0-9a-f-]{36}$/);  // x-amzn-RequestId, readable through Expose-Headers

  // The record is really there.
  const kinesis = new KinesisClient({ region: 'us-east-1', endpoint, maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDBROWSER', secretAccessKey: 'browser-secret' } });
  const it = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'from-browser',
    ShardId: result.put.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
  const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
  assert.deepEqual(got.Records.map((r) => Buffer.from(r.Data).toString()), ['from the browser']);
  assert.equal(got.Records[0].SequenceNumber, result.put.SequenceNumber);
  kinesis.destroy();
  await page.close();
});

test('the page sees a wrong secret refused with AWS error', async () => {
  const page = await context.newPage();
  await page.goto(`${pageOrigin}/`);
  const result = await page.evaluate((args) => window.riffle(args),
    { endpoint, key: 'AKIDBROWSER', secret: 'wrong', stream: null });
  assert.equal(result.ok, false);
  assert.equal(result.name, 'InvalidSignatureException', JSON.stringify(result));
  assert.equal(result.status, 400);
  assert.match(result.message, /^The request signature we calculated does not match/);
  await page.close();
});
