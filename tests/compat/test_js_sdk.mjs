// AWS SDK for JavaScript v3 (tests/node_modules, default NodeHttp2Handler)
// against the real riffle binary: h2c with prior knowledge on the plain
// port, HTTP/2 over TLS (ALPN h2) with a `riffle cert` certificate trusted
// through NODE_EXTRA_CA_CERTS.
//
// Run: RIFFLE_BIN=build/riffle node --test tests/compat/test_js_sdk.mjs
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { runScenario } from './js_sdk_scenario.mjs';
import { clusterMode, clusterSkip, startRiffle } from '../support/riffle_server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const scenario = join(here, 'js_sdk_scenario.mjs');
const bin = process.env.RIFFLE_BIN;

let dir;
let server;
let httpEndpoint;
let httpsEndpoint;

before(async () => {
  assert.ok(bin, 'set RIFFLE_BIN to the riffle binary');
  dir = mkdtempSync(join(tmpdir(), 'riffle-js-'));
  server = await startRiffle({ tlsDir: dir });
  httpEndpoint = server.http;
  httpsEndpoint = server.https;
  assert.match(httpEndpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  if (!clusterMode) assert.match(httpsEndpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, `riffle exit code after SIGTERM; stderr: ${server.stderr()}`);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runChild(endpoint, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [scenario, endpoint], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { out += c; });
    child.on('exit', (code) => resolve({ code, out }));
  });
}

test('h2c (prior knowledge): create, describe, put, put many, iterate, get, list, not-found error', async () => {
  await runScenario(httpEndpoint);
});

test('concurrent calls from one client share the HTTP/2 endpoint', async () => {
  const { makeClient } = await import('./js_sdk_scenario.mjs');
  const { ListStreamsCommand } = await import('@aws-sdk/client-kinesis');
  const client = makeClient(httpEndpoint);
  try {
    const results = await Promise.all(Array.from({ length: 20 }, () => client.send(new ListStreamsCommand({}))));
    for (const r of results) assert.ok(Array.isArray(r.StreamNames));
  } finally {
    client.destroy();
  }
});

const noTls = { skip: clusterSkip('the cluster endpoint serves no https') };

test('https (ALPN h2) with a riffle cert trusted through NODE_EXTRA_CA_CERTS', noTls, async () => {
  const { code, out } = await runChild(httpsEndpoint,
    { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'riffle.crt') });
  assert.equal(code, 0, out);
});

test('https without trusting the certificate fails verification', noTls, async () => {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const { code, out } = await runChild(httpsEndpoint, env);
  assert.notEqual(code, 0);
  assert.match(out, /self[- ]signed certificate|unable to verify/i);
});

test('DryRun: DryRunOperationException when the call would succeed, the real error otherwise', async () => {
  const { makeClient } = await import('./js_sdk_scenario.mjs');
  const sdk = await import('@aws-sdk/client-kinesis');
  const client = makeClient(httpEndpoint);
  const name = `dryrun-${process.pid}`;
  try {
    await client.send(new sdk.CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    await sdk.waitUntilStreamExists({ client, maxWaitTime: 30, minDelay: 1 }, { StreamName: name });
    const put = { StreamName: name, PartitionKey: 'a', Data: Buffer.from('x'), DryRun: true };
    await assert.rejects(client.send(new sdk.PutRecordCommand(put)), (err) => {
      assert.ok(err instanceof sdk.DryRunOperationException, `${err.name}: ${err.message}`);
      assert.equal(err.$metadata.httpStatusCode, 400);
      return true;
    });
    await assert.rejects(client.send(new sdk.PutRecordCommand({ ...put, StreamName: `${name}-missing` })),
      (err) => err.name === 'ResourceNotFoundException');
    const it = await client.send(new sdk.GetShardIteratorCommand({
      StreamName: name, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
    await assert.rejects(client.send(new sdk.GetRecordsCommand({ ShardIterator: it.ShardIterator, DryRun: true })),
      (err) => err instanceof sdk.DryRunOperationException);
    const got = await client.send(new sdk.GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    assert.equal(got.Records.length, 0, 'the dry-run put stored nothing');
  } finally {
    await client.send(new sdk.DeleteStreamCommand({ StreamName: name })).catch(() => {});
    client.destroy();
  }
});

test('UpdateStreamRecordDistributionStrategy: AUTO spreads one partition key over every shard of an on-demand stream', async () => {
  const { makeClient } = await import('./js_sdk_scenario.mjs');
  const sdk = await import('@aws-sdk/client-kinesis');
  const client = makeClient(httpEndpoint);
  const name = `spread-${process.pid}`;
  const fixed = `fixed-${process.pid}`;
  const summary = async (streamName) =>
    (await client.send(new sdk.DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary;
  const shardsOf = (records) => new Set(records.map((r) => r.ShardId));
  const putSame = async () => (await client.send(new sdk.PutRecordsCommand({
    StreamName: name,
    Records: Array.from({ length: 40 }, (_, i) => ({ PartitionKey: 'same', Data: Buffer.from(`r${i}`) })),
  }))).Records;
  try {
    await client.send(new sdk.CreateStreamCommand({ StreamName: name, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    await sdk.waitUntilStreamExists({ client, maxWaitTime: 30, minDelay: 1 }, { StreamName: name });
    const before = await summary(name);
    assert.equal(before.RecordDistributionStrategy, 'USER_PARTITION_KEY');
    assert.equal(before.OpenShardCount, 4);
    assert.equal(shardsOf(await putSame()).size, 1, 'one partition key, one shard');

    const out = await client.send(new sdk.UpdateStreamRecordDistributionStrategyCommand({
      StreamARN: before.StreamARN, RecordDistributionStrategy: 'AUTO' }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    const after = await summary(name);
    assert.equal(after.RecordDistributionStrategy, 'AUTO');
    assert.equal(after.StreamStatus, 'ACTIVE');
    const spread = await putSame();
    assert.equal(spread.filter((r) => r.ErrorCode).length, 0);
    assert.equal(shardsOf(spread).size, 4, 'AUTO ignores the partition key');
    // ExplicitHashKey is ignored too.
    const explicit = [];
    for (let i = 0; i < 8; i++) {
      explicit.push(await client.send(new sdk.PutRecordCommand({
        StreamName: name, PartitionKey: 'same', ExplicitHashKey: '0', Data: Buffer.from('e') })));
    }
    assert.ok(shardsOf(explicit).size > 1, 'AUTO ignores ExplicitHashKey');

    // A provisioned stream takes USER_PARTITION_KEY only.
    await assert.rejects(client.send(new sdk.CreateStreamCommand({
      StreamName: fixed, ShardCount: 1, RecordDistributionStrategy: 'AUTO' })),
    (err) => err.name === 'InvalidArgumentException');
    await client.send(new sdk.CreateStreamCommand({ StreamName: fixed, ShardCount: 1 }));
    await sdk.waitUntilStreamExists({ client, maxWaitTime: 30, minDelay: 1 }, { StreamName: fixed });
    const fixedArn = (await summary(fixed)).StreamARN;
    await assert.rejects(client.send(new sdk.UpdateStreamRecordDistributionStrategyCommand({
      StreamARN: fixedArn, RecordDistributionStrategy: 'AUTO' })),
    (err) => err.name === 'InvalidArgumentException' && /ON_DEMAND/.test(err.message));
    await client.send(new sdk.UpdateStreamRecordDistributionStrategyCommand({
      StreamARN: fixedArn, RecordDistributionStrategy: 'USER_PARTITION_KEY' }));
    await assert.rejects(client.send(new sdk.UpdateStreamRecordDistributionStrategyCommand({
      StreamARN: `${before.StreamARN}-missing`, RecordDistributionStrategy: 'AUTO' })),
    (err) => err.name === 'ResourceNotFoundException');
  } finally {
    await client.send(new sdk.DeleteStreamCommand({ StreamName: name })).catch(() => {});
    await client.send(new sdk.DeleteStreamCommand({ StreamName: fixed })).catch(() => {});
    client.destroy();
  }
});
