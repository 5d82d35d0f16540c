// The web console (GET /console/) in headless Chromium (Debian's chromium,
// driven by npm playwright-core) against the real riffle binary, with boto3
// on the other side: what boto3 made the page shows, and what the page does
// boto3 sees. Screenshots of each step go to console-screenshots/ in the
// working directory (the build tree's tests/ under ctest).
//
// Run: RIFFLE_BIN=build/riffle node --test tests/console/test_console.mjs
// Env: RIFFLE_PYTHON (a python3 with boto3), CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';

import { chromium } from 'playwright-core';

import { startRiffle } from '../support/riffle_server.mjs';

const python = process.env.RIFFLE_PYTHON || 'python3';
const shots = join(process.cwd(), 'console-screenshots');
const STREAM = 'console-orders';

let dir;
let server;
let http;
let https;
let context;
let page;
let pageErrors = [];
const pending = new Set();  // the page's requests not yet answered

// Runs a boto3 snippet with `kinesis` (a client of the http endpoint) and
// `emit(value)` (prints JSON); returns what it emitted.
function boto3(code) {
  const program = [
    'import boto3, json, sys, botocore.config',
    `kinesis = boto3.client('kinesis', endpoint_url='${http}', region_name='us-east-1',`,
    "    aws_access_key_id='test', aws_secret_access_key='test',",
    "    config=botocore.config.Config(retries={'max_attempts': 1}))",
    'def emit(value): print(json.dumps(value, default=str))',
    code,
  ].join('\n');
  const run = spawnSync(python, ['-c', program], { encoding: 'utf8', timeout: 60000 });
  assert.equal(run.status, 0, `boto3 failed:\n${code}\n${run.stderr}`);
  const out = run.stdout.trim();
  return out ? JSON.parse(out.split('\n').pop()) : null;
}

async function shot(name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'riffle-console-'));
  // Requests signed with AKIDOTHER act in another account (own streams).
  server = await startRiffle({ tlsDir: dir, args: ['--account', 'AKIDOTHER=111111111111'] });
  ({ http, https } = server);

  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    ignoreHTTPSErrors: true,  // the https check trusts riffle's self-signed certificate
  });
  page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('request', (request) => pending.add(request));
  page.on('requestfinished', (request) => pending.delete(request));
  page.on('requestfailed', (request) => pending.delete(request));
  page.on('pageerror', (error) => pageErrors.push(`uncaught: ${error.stack || error}`));
  page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`); });
});

// A test of the page: when it fails, what the page showed and was waiting
// for is printed with the failure.
function pageTest(name, body) {
  test(name, async () => {
    try {
      await body();
    } catch (error) {
      const status = await page.locator('#status').textContent({ timeout: 1000 }).catch(() => '?');
      const waiting = [...pending].map((r) => `${r.method()} ${r.url()} ${r.headers()['x-amz-target'] || ''}`);
      process.stderr.write(`[${name}] at ${page.url()}; banner: ${JSON.stringify(status)}; requests unanswered: ${JSON.stringify(waiting)}\n`);
      throw error;
    }
  });
}

// What the page reported during a test, for reading a failure (an API error
// shown on purpose also logs its failed request here).
afterEach(async (t) => {
  if (pageErrors.length) process.stderr.write(`[${t.name}] the page reported:\n  ${pageErrors.join('\n  ')}\n`);
  pageErrors = [];
});

after(async () => {
  if (context) await context.close();
  if (server) assert.equal(await server.stop(), 0, `riffle exit code after SIGTERM; stderr: ${server.stderr()}`);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

pageTest('the stream list shows a stream boto3 created, with its shards and live rates', async () => {
  boto3(`
kinesis.create_stream(StreamName='${STREAM}', ShardCount=2)
kinesis.get_waiter('stream_exists').wait(StreamName='${STREAM}')
kinesis.put_record(StreamName='${STREAM}', PartitionKey='text', Data=b'hello from boto3')
kinesis.put_record(StreamName='${STREAM}', PartitionKey='json', Data=json.dumps({'order': 17, 'items': ['tea', 'cake']}).encode())
kinesis.put_record(StreamName='${STREAM}', PartitionKey='binary', Data=bytes([0, 1, 2, 0xfe, 0xff, 7]))`);
  const rates = page.waitForResponse(async (r) => {
    if (!r.url().endsWith('/console/api/rates') || r.status() !== 200) return false;
    const body = await r.json();
    const stream = body.streams.find((s) => s.name === STREAM);
    // [endMs, durationMs, recordsIn, bytesIn, recordsOut, bytesOut] per interval
    return !!stream && stream.points.reduce((sum, p) => sum + p[2], 0) === 3;
  }, { timeout: 20000 });
  await page.goto(`${http}/console`);  // redirected to /console/
  assert.equal(new URL(page.url()).pathname, '/console/');
  const row = page.locator(`tr[data-stream="${STREAM}"]`);
  await row.waitFor();
  await assert.doesNotReject(rates, 'the page fetched (signed) rates counting the 3 puts');
  assert.equal((await row.locator('td').nth(0).textContent()).trim(), 'ACTIVE');
  assert.equal((await row.locator('td').nth(2).textContent()).trim(), '2 / 2');
  assert.equal(await row.locator('.spark canvas').count(), 1, 'a sparkline of records in');
  await shot('01-streams');
});

pageTest('opening the stream shows its shards; a split through the page shows parent and children', async () => {
  await page.getByRole('link', { name: STREAM, exact: true }).click();
  await page.locator('svg.lineage g.shard[data-state="open"]').nth(1).waitFor();
  assert.equal(await page.locator('svg.lineage g.shard').count(), 2);
  await shot('02-shards');

  await page.getByLabel('Shard to split').selectOption('shardId-000000000000');
  const key = await page.getByLabel('New starting hash key').inputValue();
  assert.equal(key, (2n ** 126n).toString(), 'the midpoint of shard 0 (the lower half) is prefilled');
  await page.getByRole('button', { name: 'Split shard' }).click();
  await page.locator('svg.lineage g.shard[data-shard="shardId-000000000000"][data-state="closed"]').waitFor();
  const children = page.locator('svg.lineage g.shard[data-parent="shardId-000000000000"][data-state="open"]');
  await children.nth(1).waitFor();
  assert.equal(await children.count(), 2);
  const shards = boto3(`emit(kinesis.list_shards(StreamName='${STREAM}')['Shards'])`);
  assert.equal(shards.length, 4);
  assert.equal(shards.filter((s) => s.ParentShardId === 'shardId-000000000000').length, 2);
  await shot('03-split');
});

pageTest('an API error is shown with the API\'s own message', async () => {
  // The same invalid split through boto3 gives the message to expect.
  const expected = boto3(`
try:
    kinesis.split_shard(StreamName='${STREAM}', ShardToSplit='shardId-000000000001', NewStartingHashKey='1')
except kinesis.exceptions.InvalidArgumentException as e:
    emit(e.response['Error']['Message'])`);
  assert.ok(expected && expected.length > 20, `boto3 got an InvalidArgumentException: ${expected}`);
  await page.getByLabel('Shard to split').selectOption('shardId-000000000001');
  await page.getByLabel('New starting hash key').fill('1');
  await page.getByRole('button', { name: 'Split shard' }).click();
  const banner = page.locator('#status.error');
  await banner.waitFor();
  const text = await banner.textContent();
  assert.ok(text.includes('InvalidArgumentException'), text);
  assert.ok(text.includes(expected), `banner: ${text}\nexpected: ${expected}`);
  await shot('04-api-error');
});

pageTest('merging two adjacent shards through the page shows their child', async () => {
  await page.getByLabel('Adjacent open shards').selectOption('shardId-000000000002 shardId-000000000003');
  await page.getByRole('button', { name: 'Merge shards' }).click();
  await page.locator('svg.lineage g.shard[data-parent="shardId-000000000002"][data-adjacent-parent="shardId-000000000003"][data-state="open"]').waitFor();
  assert.equal(await page.locator('svg.lineage g.shard[data-state="closed"]').count(), 3);
  const child = boto3(`emit([s for s in kinesis.list_shards(StreamName='${STREAM}')['Shards'] if s.get('AdjacentParentShardId')])`);
  assert.equal(child.length, 1);
  assert.equal(child[0].ParentShardId, 'shardId-000000000002');
  assert.equal(child[0].AdjacentParentShardId, 'shardId-000000000003');
  await shot('05-merged');
});

pageTest('the Records tab shows boto3\'s records as text, JSON and hex', async () => {
  await page.getByRole('tab', { name: 'Records' }).click();
  await page.getByLabel('Shard', { exact: true }).selectOption('');
  await page.getByLabel('Start at').selectOption('TRIM_HORIZON');
  await page.getByRole('button', { name: 'Read', exact: true }).click();
  const rows = page.locator('table.records tbody tr');
  await rows.nth(2).waitFor();
  assert.equal(await rows.count(), 3);
  const text = page.locator('table.records tr[data-kind="text"]');
  assert.equal((await text.locator('pre').textContent()), 'hello from boto3');
  const json = await page.locator('table.records tr[data-kind="json"] pre').textContent();
  assert.deepEqual(JSON.parse(json), { order: 17, items: ['tea', 'cake'] });
  assert.ok(json.includes('\n  "order": 17'), `pretty-printed: ${json}`);
  const hex = await page.locator('table.records tr[data-kind="hex"] pre').textContent();
  assert.equal(hex, '0000  00 01 02 fe ff 07');
  await shot('06-records');
});

pageTest('Live shows a record put after it was switched on', async () => {
  await page.getByRole('switch', { name: 'Live' }).check();
  await page.getByText(/live on \d+ shards?/).waitFor();
  const marker = `live-${Date.now()}`;
  boto3(`kinesis.put_record(StreamName='${STREAM}', PartitionKey='live', Data=b'${marker}')`);
  await page.locator('table.records pre', { hasText: marker }).waitFor({ timeout: 20000 });
  await shot('07-live');
  await page.getByRole('switch', { name: 'Live' }).uncheck();
});

pageTest('consumers and settings changed through the page are seen by boto3', async () => {
  await page.getByRole('tab', { name: 'Consumers' }).click();
  await page.getByLabel('Consumer name').fill('console-reader');
  await page.getByRole('button', { name: 'Register consumer' }).click();
  await page.locator('tr[data-consumer="console-reader"]').waitFor();
  const consumers = boto3(`
arn = kinesis.describe_stream_summary(StreamName='${STREAM}')['StreamDescriptionSummary']['StreamARN']
emit([c['ConsumerName'] for c in kinesis.list_stream_consumers(StreamARN=arn)['Consumers']])`);
  assert.deepEqual(consumers, ['console-reader']);
  await shot('08-consumers');
  await page.getByRole('button', { name: 'Deregister consumer console-reader' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Deregister' }).click();
  await page.locator('tr[data-consumer="console-reader"]').waitFor({ state: 'detached' });

  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.getByLabel('Retention (hours, 24–8760)').fill('48');
  await page.getByRole('button', { name: 'Save retention' }).click();
  await page.getByText('Retention is now 48 hours.').waitFor();
  await page.getByLabel('Tag key').fill('team');
  await page.getByLabel('Tag value').fill('payments');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await page.getByRole('button', { name: 'Remove tag team' }).waitFor();
  const settings = boto3(`
s = kinesis.describe_stream_summary(StreamName='${STREAM}')['StreamDescriptionSummary']
emit([s['RetentionPeriodHours'], kinesis.list_tags_for_stream(StreamName='${STREAM}')['Tags']])`);
  assert.deepEqual(settings, [48, [{ Key: 'team', Value: 'payments' }]]);
  await shot('09-settings');
});

pageTest('creating and deleting a stream through the page is seen by boto3', async () => {
  await page.goto(`${http}/console/#/`);
  await page.getByLabel('Stream name').fill('made-in-the-console');
  await page.getByLabel('Shard count').fill('3');
  await page.getByRole('button', { name: 'Create stream' }).click();
  await page.locator('tr[data-stream="made-in-the-console"]').waitFor();
  const created = boto3(`
kinesis.get_waiter('stream_exists').wait(StreamName='made-in-the-console')
emit(kinesis.describe_stream_summary(StreamName='made-in-the-console')['StreamDescriptionSummary']['OpenShardCount'])`);
  assert.equal(created, 3);
  await page.getByLabel('Filter streams by name').fill('made-in');
  assert.equal(await page.locator(`tr[data-stream="${STREAM}"]`).isHidden(), true, 'the filter hides other streams');
  await shot('10-created-filtered');

  await page.getByRole('button', { name: 'Delete stream made-in-the-console' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete stream' }).click();
  await page.locator('tr[data-stream="made-in-the-console"]').waitFor({ state: 'detached', timeout: 20000 });
  const names = boto3("kinesis.get_waiter('stream_not_exists').wait(StreamName='made-in-the-console')\nemit(kinesis.list_streams()['StreamNames'])");
  assert.deepEqual(names, [STREAM]);
  await page.getByLabel('Filter streams by name').fill('');
  await shot('11-deleted');
});

pageTest('the page signs with the credentials entered, kept for the tab, and shows what they may see', async () => {
  await page.goto(`${http}/console/#/`);
  await page.locator(`tr[data-stream="${STREAM}"]`).waitFor();
  await page.getByRole('button', { name: 'Credentials' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Access key ID').fill('AKIDOTHER');
  await dialog.getByLabel('Secret access key').fill('another-secret');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Signing as AKIDOTHER in us-east-1.').waitFor();
  await page.getByText('No streams yet').waitFor();  // account 111111111111 has none
  assert.equal(await page.locator(`tr[data-stream="${STREAM}"]`).count(), 0);
  await page.reload();  // kept in the tab's session storage
  await page.getByText('No streams yet').waitFor();
  assert.equal(await page.evaluate(() => JSON.parse(sessionStorage.getItem('riffle-console-credentials')).accessKeyId), 'AKIDOTHER');
  await shot('12-other-account');
  await page.getByRole('button', { name: 'Credentials' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Use the default' }).click();
  await page.locator(`tr[data-stream="${STREAM}"]`).waitFor();
});

pageTest('tabs and controls work from the keyboard', async () => {
  await page.goto(`${http}/console/#/streams/${STREAM}/shards`);
  await page.getByRole('tab', { name: 'Shards' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForURL(/\/records$/);
  // The Records page is shown (and takes the focus) on the hash change that follows the URL.
  await page.locator('#tab-records[aria-selected="true"]').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-records');
  // An open shard of the lineage is a button: Enter picks it for a split.
  await page.getByRole('tab', { name: 'Shards' }).click();
  const shard = page.locator('svg.lineage g.shard[data-shard="shardId-000000000001"]');
  await shard.focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.getByLabel('Shard to split').inputValue(), 'shardId-000000000001');
});

pageTest('updating the shard count through the page is seen by boto3', async () => {
  await page.goto(`${http}/console/#/streams/${STREAM}/shards`);
  await page.getByLabel('Target open shards').fill('4');
  await page.getByRole('button', { name: 'Update shard count' }).click();
  await page.getByText('Scaling to 4 open shards.').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('svg.lineage g.shard[data-state="open"]').length === 4, null, { timeout: 15000 });
  const open = boto3(`
kinesis.get_waiter('stream_exists').wait(StreamName='${STREAM}')
emit(kinesis.describe_stream_summary(StreamName='${STREAM}')['StreamDescriptionSummary']['OpenShardCount'])`);
  assert.equal(open, 4);
});

pageTest('a narrow window shows the pages without sideways scrolling', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [hash, name] of [['#/', '13-narrow-streams'], [`#/streams/${STREAM}/shards`, '14-narrow-shards'],
    [`#/streams/${STREAM}/records`, '15-narrow-records'], [`#/streams/${STREAM}/settings`, '16-narrow-settings']]) {
    await page.goto(`${http}/console/${hash}`);
    await page.locator('main > section.view').waitFor();
    await page.waitForLoadState('networkidle');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${hash}: the page is ${overflow}px wider than the window`);
    await shot(name);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
});

pageTest('over https the console lists the streams too', async () => {
  await page.goto(`${https}/console/`);
  await page.locator(`tr[data-stream="${STREAM}"]`).waitFor();
  await shot('17-https');
});
