// Channels through the AWS SDK for JavaScript v3 (tests/node_modules: the SDK
// whose model has CreateChannel, DescribeChannel, ListChannels, UpdateChannel
// and DeleteChannel) against the real riffle binary, delivering to a real
// S3-compatible server (moto's, started here) and to a directory (file://).
// Checks the channel lifecycle (CREATING, ACTIVE, UPDATING, DELETING with the
// lifecycle delays) and what lands in the bucket: every record once, in its object, under the
// documented key layout, across a kill -9 and a restart.
//
// Run: RIFFLE_BIN=build/riffle RIFFLE_PYTHON=python3 node --test tests/compat/test_js_channels.mjs
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import * as sdk from '@aws-sdk/client-kinesis';

const bin = process.env.RIFFLE_BIN;
const python = process.env.RIFFLE_PYTHON || 'python3';
const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/delivery`;

let dir;
let moto;
let s3;  // http://127.0.0.1:PORT
const servers = [];
const clients = [];

function freePort() {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, predicate, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// A riffle on a durable data directory; `stop('SIGKILL')` for a crash.
async function startRiffle(dataDir, args) {
  const child = spawn(bin, ['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir,
    '--channel-freshness-ms', '500', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr = (stderr + c).slice(-4000); });
  const endpoint = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`riffle not ready: ${stderr}`)), 20000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('Riffle ready at http://')) {
        clearTimeout(timer);
        resolve(line.replace('Riffle ready at ', '').trim());
      }
    });
    child.on('exit', (code) => reject(new Error(`riffle exited ${code}: ${stderr}`)));
  });
  const server = {
    endpoint,
    stderr: () => stderr,
    stop: (signal = 'SIGTERM') => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? child.signalCode);
      child.once('exit', (code, sig) => resolve(code ?? sig));
      child.kill(signal);
    }),
  };
  servers.push(server);
  return server;
}

function client(endpoint) {
  const made = new sdk.KinesisClient({
    endpoint, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  clients.push(made);  // destroyed at the end: an open HTTP/2 session keeps node running
  return made;
}

// moto's S3 answers unsigned object reads 403: the bucket is read with boto3.
const S3_READER = `
import base64, json, sys, boto3
s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1',
                  aws_access_key_id='test', aws_secret_access_key='test')
if sys.argv[2] == 'create':
    s3.create_bucket(Bucket=sys.argv[3])
    sys.exit(0)
out = []
for page in s3.get_paginator('list_objects_v2').paginate(Bucket=sys.argv[3]):
    for o in page.get('Contents', []):
        body = s3.get_object(Bucket=sys.argv[3], Key=o['Key'])['Body'].read()
        out.append({'key': o['Key'], 'body': base64.b64encode(body).decode()})
print(json.dumps(out))
`;

function s3Tool(...args) {
  const r = spawnSync(python, ['-c', S3_READER, s3, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`boto3 S3 ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function bucketLines(bucket) {
  const lines = [];
  const objects = JSON.parse(s3Tool('read', bucket));
  for (const { key, body } of objects) {
    const raw = Buffer.from(body, 'base64');
    const text = (key.endsWith('.gz') ? gunzipSync(raw) : raw).toString();
    assert.ok(text.endsWith('\n'), `JSON records are newline-delimited: ${key}`);
    lines.push(...text.slice(0, -1).split('\n'));
  }
  return { keys: objects.map((o) => o.key), lines };
}

async function onDemandStream(kin, name) {
  await kin.send(new sdk.CreateStreamCommand({ StreamName: name, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
  await sdk.waitUntilStreamExists({ client: kin, maxWaitTime: 30, minDelay: 1 }, { StreamName: name });
  return (await kin.send(new sdk.DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
}

async function put(kin, stream, from, count) {
  const records = [];
  for (let i = from; i < from + count; i++) {
    records.push({ PartitionKey: `k${i}`, Data: Buffer.from(JSON.stringify({ n: i })) });
  }
  const out = await kin.send(new sdk.PutRecordsCommand({ StreamName: stream, Records: records }));
  assert.equal(out.FailedRecordCount, 0);
}

function s3Destination(bucket, extra = {}) {
  return {
    StorageConfiguration: {
      BucketARN: `arn:aws:s3:::${bucket}`, ExpectedBucketOwner: ACCOUNT, CompressionType: 'GZIP', ...extra,
    },
  };
}

before(async () => {
  assert.ok(bin, 'set RIFFLE_BIN to the riffle binary');
  dir = mkdtempSync(join(tmpdir(), 'riffle-channels-'));
  const port = await freePort();
  moto = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let motoErr = '';
  moto.stderr.on('data', (c) => { motoErr = (motoErr + c).slice(-2000); });
  s3 = `http://127.0.0.1:${port}`;
  await waitFor(`moto's S3 server (${motoErr})`, async () => {
    try {
      return (await fetch(s3)).status > 0;
    } catch {
      return false;
    }
  });
  s3Tool('create', 'deliveries');
});

after(async () => {
  for (const c of clients) c.destroy();
  for (const s of servers) await s.stop('SIGKILL');
  if (moto) moto.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('CreateChannel, DescribeChannel, ListChannels, UpdateChannel, DeleteChannel; delivery to S3 survives kill -9', async () => {
  const data = join(dir, 'data');
  let server = await startRiffle(data, ['--s3-endpoint', s3, '--s3-access-key-id', 'test', '--s3-secret-access-key', 'test']);
  let kin = client(server.endpoint);
  const summary = await onDemandStream(kin, 'orders');

  const created = (await kin.send(new sdk.CreateChannelCommand({
    ChannelName: 'orders-to-s3', ServiceExecutionRoleARN: ROLE,
    StreamConfigurationList: [{ StreamARN: summary.StreamARN, RecordConfiguration: { RecordFormatType: 'JSON' } }],
    S3DestinationConfiguration: s3Destination('deliveries'),
    Tags: { team: 'data' },
  }))).ChannelDescription;
  assert.equal(created.ChannelName, 'orders-to-s3');
  assert.match(created.ChannelId, /^[0-9a-f-]{36}$/);
  assert.equal(created.ChannelARN, `arn:aws:kinesis:us-east-1:${ACCOUNT}:channel/${created.ChannelId}`);
  assert.ok(['CREATING', 'ACTIVE'].includes(created.ChannelStatus));
  assert.ok(created.ChannelCreationTimestamp instanceof Date);
  assert.equal(created.StreamConfigurationList[0].StreamARN, summary.StreamARN);
  assert.equal(created.S3DestinationConfiguration.DataFreshnessInSeconds, 300);
  assert.equal(created.S3DestinationConfiguration.StorageConfiguration.StorageClass, 'STANDARD');
  assert.match(created.S3DestinationConfiguration.StorageConfiguration.OutputKeyTemplate, /^kinesis-channel\//);
  assert.equal(created.S3DestinationConfiguration.DeadLetterQueueS3Configuration.ErrorOutputPrefix,
    `kinesis-channel/errors/orders-to-s3/${created.ChannelId}/`);
  const arn = created.ChannelARN;
  const described = await waitFor('ACTIVE', async () => {
    const d = (await kin.send(new sdk.DescribeChannelCommand({ ChannelARN: arn }))).ChannelDescription;
    return d.ChannelStatus === 'ACTIVE' && d;
  });
  assert.equal(described.ChannelId, created.ChannelId);

  const listed = await kin.send(new sdk.ListChannelsCommand({ StreamFilter: [{ StreamARN: summary.StreamARN }] }));
  assert.deepEqual(listed.ChannelSummaries.map((c) => [c.ChannelName, c.ChannelDestinationType]),
    [['orders-to-s3', 'S3']]);
  assert.equal(listed.ChannelSummaries[0].Streams[0].StreamARN, summary.StreamARN);
  const limits = await kin.send(new sdk.DescribeLimitsCommand({}));
  assert.equal(limits.ChannelCount, 1);
  assert.equal((await kin.send(new sdk.DescribeStreamSummaryCommand({ StreamName: 'orders' })))
    .StreamDescriptionSummary.ChannelCount, 1);

  // Records reach the bucket: each once, gzip'd, newline-delimited, under the default layout.
  await put(kin, 'orders', 0, 60);
  const first = await waitFor('60 records in the bucket', async () => {
    const got = await bucketLines('deliveries');
    return got.lines.length >= 60 && got;
  });
  assert.deepEqual(first.lines.map((l) => JSON.parse(l).n).sort((a, b) => a - b), [...Array(60).keys()]);
  for (const key of first.keys) {
    assert.match(key, new RegExp(`^kinesis-channel/orders-to-s3/${created.ChannelId}/\\d{4}/\\d{2}/\\d{2}/\\d{2}/` +
      `orders-to-s3-${created.ChannelId}-\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{12}-\\d{20}\\.gz$`));
  }

  // UpdateChannel: freshness within 300-900 only.
  await assert.rejects(kin.send(new sdk.UpdateChannelCommand({
    ChannelARN: arn, S3DestinationConfiguration: { DataFreshnessInSeconds: 901 } })),
  (e) => e.name === 'InvalidArgumentException');
  const updated = (await kin.send(new sdk.UpdateChannelCommand({
    ChannelARN: arn, S3DestinationConfiguration: { DataFreshnessInSeconds: 600 } }))).ChannelDescription;
  assert.equal(updated.S3DestinationConfiguration.DataFreshnessInSeconds, 600);

  // kill -9 with records waiting, then a restart: every record once.
  await put(kin, 'orders', 60, 40);
  assert.equal(await server.stop('SIGKILL'), 'SIGKILL');
  server = await startRiffle(data, ['--s3-endpoint', s3]);
  kin = client(server.endpoint);
  await put(kin, 'orders', 100, 20);
  const all = await waitFor('120 records in the bucket', async () => {
    const got = await bucketLines('deliveries');
    return got.lines.length >= 120 && got;
  });
  await sleep(1500);  // a duplicate would show up by now
  const again = await bucketLines('deliveries');
  assert.equal(again.lines.length, 120, 'no record twice');
  assert.deepEqual(all.lines.map((l) => JSON.parse(l).n).sort((a, b) => a - b), [...Array(120).keys()]);

  // A stream with a channel cannot be deleted; the channel can, then the stream.
  await assert.rejects(kin.send(new sdk.DeleteStreamCommand({ StreamName: 'orders' })),
    (e) => e.name === 'ResourceInUseException');
  const deleted = await kin.send(new sdk.DeleteChannelCommand({ ChannelARN: arn }));
  assert.equal(deleted.$metadata.httpStatusCode, 200);
  await waitFor('channel gone', async () => {
    try {
      await kin.send(new sdk.DescribeChannelCommand({ ChannelARN: arn }));
      return false;
    } catch (e) {
      assert.equal(e.name, 'ResourceNotFoundException');
      return true;
    }
  });
  await kin.send(new sdk.DeleteStreamCommand({ StreamName: 'orders' }));
  assert.equal((await server.stop()), 0, server.stderr());
});

test('what CreateChannel refuses, and delivery to a directory (file://)', async () => {
  const out = join(dir, 'objects');
  const server = await startRiffle(join(dir, 'data2'), ['--s3-endpoint', `file://${out}`]);
  const kin = client(server.endpoint);
  const onDemand = await onDemandStream(kin, 'events');
  await kin.send(new sdk.CreateStreamCommand({ StreamName: 'fixed', ShardCount: 1 }));
  await sdk.waitUntilStreamExists({ client: kin, maxWaitTime: 30, minDelay: 1 }, { StreamName: 'fixed' });
  const fixedArn = (await kin.send(new sdk.DescribeStreamSummaryCommand({ StreamName: 'fixed' })))
    .StreamDescriptionSummary.StreamARN;
  const create = (name, streamArn, destination, format = 'STRING') => kin.send(new sdk.CreateChannelCommand({
    ChannelName: name, ServiceExecutionRoleARN: ROLE,
    StreamConfigurationList: [{ StreamARN: streamArn, RecordConfiguration: { RecordFormatType: format } }],
    ...destination,
  }));
  const refused = async (promise, name) => assert.rejects(promise, (e) => e.name === name || assert.fail(`${e.name}: ${e.message}`));

  await refused(create('p', fixedArn, { S3DestinationConfiguration: s3Destination('bucket-one') }), 'ValidationException');
  await refused(create('x', onDemand.StreamARN, {}), 'InvalidArgumentException');
  await refused(create('x', onDemand.StreamARN, { S3DestinationConfiguration: s3Destination('bucket-one', { CompressionType: 'LZ4' }) }),
    'InvalidArgumentException');
  await refused(create('x', onDemand.StreamARN, {
    S3DestinationConfiguration: s3Destination('bucket-one', { OutputKeyTemplate: 'a//!{channel-name}!{extension}' }) }),
  'InvalidArgumentException');
  await refused(create('x', `${onDemand.StreamARN}-gone`, { S3DestinationConfiguration: s3Destination('bucket-one') }),
    'ResourceNotFoundException');
  await refused(kin.send(new sdk.DescribeChannelCommand({ ChannelARN: `arn:aws:kinesis:us-east-1:${ACCOUNT}:channel/nope` })),
    'ResourceNotFoundException');

  const template = 'raw/stream=!{stream-name}/!{yyyy}!{MM}!{dd}/!{channel-name}!{extension:.txt}';
  const made = (await create('to-dir', onDemand.StreamARN,
    { S3DestinationConfiguration: s3Destination('local-bucket', { CompressionType: 'NONE', OutputKeyTemplate: template }) }))
    .ChannelDescription;
  await refused(create('to-dir', onDemand.StreamARN, { S3DestinationConfiguration: s3Destination('bucket-one') }),
    'ResourceInUseException');
  await refused(create('second', onDemand.StreamARN, { S3DestinationConfiguration: s3Destination('bucket-one') }),
    'LimitExceededException');
  await waitFor('ACTIVE', async () => (await kin.send(new sdk.DescribeChannelCommand({ ChannelARN: made.ChannelARN })))
    .ChannelDescription.ChannelStatus === 'ACTIVE');

  await kin.send(new sdk.PutRecordsCommand({ StreamName: 'events',
    Records: Array.from({ length: 10 }, (_, i) => ({ PartitionKey: `p${i}`, Data: Buffer.from(`line ${i}`) })) }));
  const root = join(out, 'local-bucket', 'raw', 'stream=events');
  const files = await waitFor('objects in the directory', () => {
    if (!existsSync(root)) return false;
    const found = [];
    for (const day of readdirSync(root)) {
      for (const f of readdirSync(join(root, day))) found.push(join(root, day, f));
    }
    const lines = found.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
    return lines.length >= 10 && found;
  });
  for (const f of files) {
    assert.match(f, /\/\d{8}\/to-dir-\d{12}-\d{20}\.txt$/);
    assert.ok(statSync(f).size > 0);
  }
  const lines = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean)).sort();
  assert.deepEqual(lines, Array.from({ length: 10 }, (_, i) => `line ${i}`).sort());
  assert.equal(await server.stop(), 0, server.stderr());
});

test('a channel moves CREATING -> ACTIVE -> UPDATING -> ACTIVE -> DELETING -> gone with the lifecycle delays', async () => {
  const out = join(dir, 'objects3');
  const server = await startRiffle(join(dir, 'data3'), ['--s3-endpoint', `file://${out}`,
    '--create-stream-ms', '1500', '--update-stream-ms', '1500', '--delete-stream-ms', '1500']);
  const kin = client(server.endpoint);
  const stream = await onDemandStream(kin, 'slow');
  const describe = async (arn) => (await kin.send(new sdk.DescribeChannelCommand({ ChannelARN: arn }))).ChannelDescription;
  const statusOf = async (arn) => (await describe(arn)).ChannelStatus;

  const made = (await kin.send(new sdk.CreateChannelCommand({
    ChannelName: 'slow-channel', ServiceExecutionRoleARN: ROLE,
    StreamConfigurationList: [{ StreamARN: stream.StreamARN, RecordConfiguration: { RecordFormatType: 'STRING' } }],
    S3DestinationConfiguration: s3Destination('slow-bucket', { CompressionType: 'NONE' }),
  }))).ChannelDescription;
  assert.equal(made.ChannelStatus, 'CREATING');
  assert.equal(await statusOf(made.ChannelARN), 'CREATING');
  // Not ACTIVE yet: an update is refused as AWS refuses it.
  await assert.rejects(kin.send(new sdk.UpdateChannelCommand({ ChannelARN: made.ChannelARN,
    S3DestinationConfiguration: { DataFreshnessInSeconds: 600 } })),
  (e) => e.name === 'ResourceInUseException' || assert.fail(`${e.name}: ${e.message}`));
  await waitFor('ACTIVE', async () => (await statusOf(made.ChannelARN)) === 'ACTIVE');

  await kin.send(new sdk.UpdateChannelCommand({ ChannelARN: made.ChannelARN,
    S3DestinationConfiguration: { DataFreshnessInSeconds: 600 } }));
  assert.equal(await statusOf(made.ChannelARN), 'UPDATING');
  await waitFor('ACTIVE after the update', async () => (await statusOf(made.ChannelARN)) === 'ACTIVE');
  assert.equal((await describe(made.ChannelARN)).S3DestinationConfiguration.DataFreshnessInSeconds, 600);

  await kin.send(new sdk.DeleteChannelCommand({ ChannelARN: made.ChannelARN }));
  assert.equal(await statusOf(made.ChannelARN), 'DELETING');
  const listed = (await kin.send(new sdk.ListChannelsCommand({}))).ChannelSummaries ?? [];
  assert.deepEqual(listed.map((c) => [c.ChannelName, c.ChannelStatus]), [['slow-channel', 'DELETING']]);
  await waitFor('the channel gone', async () => {
    try {
      await describe(made.ChannelARN);
      return false;
    } catch (e) {
      if (e.name !== 'ResourceNotFoundException') throw e;
      return true;
    }
  });
  assert.deepEqual((await kin.send(new sdk.ListChannelsCommand({}))).ChannelSummaries ?? [], []);
  assert.equal(await server.stop(), 0, server.stderr());
});
