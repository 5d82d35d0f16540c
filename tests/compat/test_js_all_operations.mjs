// Every operation of the model (model/kinesis-2013-12-02.json: 45) through the
// AWS SDK for JavaScript v3 against the real riffle binary, each answered
// successfully; the test fails when the model has an operation it did not call.
//
// Run: RIFFLE_BIN=build/riffle node --test tests/compat/test_js_all_operations.mjs
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import * as sdk from '@aws-sdk/client-kinesis';

import { clusterSkip, startRiffle } from '../support/riffle_server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const model = JSON.parse(readFileSync(join(here, '..', '..', 'model', 'kinesis-2013-12-02.json'), 'utf8'));
const QUARTER_HASH_KEY = '85070591730234615865843651857942052864';  // 2^126

let dir;
let server;
let client;
const called = new Set();

async function call(op, input = {}) {
  const out = await client.send(new sdk[`${op}Command`](input));
  assert.equal(out.$metadata.httpStatusCode, 200, op);
  called.add(op);
  return out;
}

async function waitActive(name) {
  await sdk.waitUntilStreamExists({ client, maxWaitTime: 30, minDelay: 1 }, { StreamName: name });
  for (let i = 0; i < 300; i++) {
    const s = await client.send(new sdk.DescribeStreamSummaryCommand({ StreamName: name }));
    if (s.StreamDescriptionSummary.StreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${name} not ACTIVE`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'riffle-js-all-'));
  // Channels deliver into a directory.
  server = await startRiffle({ args: ['--s3-endpoint', `file://${join(dir, 'objects')}`] });
  client = new sdk.KinesisClient({
    endpoint: server.http, region: 'us-east-1', maxAttempts: 3,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
});

after(async () => {
  if (client) client.destroy();
  if (server) assert.equal(await server.stop(), 0, `riffle exit code after SIGTERM; stderr: ${server.stderr()}`);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('every operation of the model answers through the JavaScript SDK',
  { skip: clusterSkip('the cluster harness passes no --s3-endpoint') }, async () => {
  const name = `every-op-${process.pid}`;
  await call('DescribeAccountSettings');
  const limits = await call('DescribeLimits');
  assert.equal(limits.ShardLimit, 500);

  await call('CreateStream', { StreamName: name, ShardCount: 2, Tags: { team: 'data' } });
  await waitActive(name);
  const arn = (await call('DescribeStream', { StreamName: name })).StreamDescription.StreamARN;
  assert.ok((await call('ListStreams')).StreamNames.includes(name));

  await call('AddTagsToStream', { StreamName: name, Tags: { env: 'test' } });
  await call('TagResource', { ResourceARN: arn, Tags: { owner: 'me' } });
  await call('UntagResource', { ResourceARN: arn, TagKeys: ['owner'] });
  await call('RemoveTagsFromStream', { StreamName: name, TagKeys: ['env'] });
  assert.deepEqual((await call('ListTagsForStream', { StreamName: name })).Tags, [{ Key: 'team', Value: 'data' }]);
  assert.deepEqual((await call('ListTagsForResource', { ResourceARN: arn })).Tags, [{ Key: 'team', Value: 'data' }]);

  const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const put = await call('PutRecord', { StreamName: name, PartitionKey: 'a', Data: binary });
  await call('PutRecords', { StreamName: name, Records: [{ PartitionKey: 'a', Data: Buffer.from('two') }] });
  const iterator = (await call('GetShardIterator', { StreamName: name, ShardId: put.ShardId,
    ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator;
  const records = (await call('GetRecords', { ShardIterator: iterator })).Records;
  assert.deepEqual(Buffer.from(records[0].Data), binary);

  await call('IncreaseStreamRetentionPeriod', { StreamName: name, RetentionPeriodHours: 48 });
  await call('DecreaseStreamRetentionPeriod', { StreamName: name, RetentionPeriodHours: 36 });
  await call('EnableEnhancedMonitoring', { StreamName: name, ShardLevelMetrics: ['IncomingBytes'] });
  await call('DisableEnhancedMonitoring', { StreamName: name, ShardLevelMetrics: ['ALL'] });
  await call('StartStreamEncryption', { StreamName: name, EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
  await waitActive(name);
  await call('StopStreamEncryption', { StreamName: name, EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
  await waitActive(name);
  await call('UpdateMaxRecordSize', { StreamARN: arn, MaxRecordSizeInKiB: 2048 });
  await waitActive(name);
  const summary = (await call('DescribeStreamSummary', { StreamName: name })).StreamDescriptionSummary;
  assert.equal(summary.RetentionPeriodHours, 36);
  assert.equal(summary.MaxRecordSizeInKiB, 2048);

  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'kinesis:GetRecords', Resource: arn }] });
  await call('PutResourcePolicy', { ResourceARN: arn, Policy: policy });
  assert.match((await call('GetResourcePolicy', { ResourceARN: arn })).Policy, /kinesis:GetRecords/);
  await call('DeleteResourcePolicy', { ResourceARN: arn });

  const consumer = (await call('RegisterStreamConsumer', { StreamARN: arn, ConsumerName: 'app' })).Consumer;
  assert.equal((await call('DescribeStreamConsumer', { ConsumerARN: consumer.ConsumerARN }))
    .ConsumerDescription.StreamARN, arn);
  assert.equal((await call('ListStreamConsumers', { StreamARN: arn })).Consumers.length, 1);
  const subscription = await call('SubscribeToShard', { ConsumerARN: consumer.ConsumerARN, ShardId: put.ShardId,
    StartingPosition: { Type: 'TRIM_HORIZON' } });
  const pushed = [];
  for await (const event of subscription.EventStream) {
    for (const r of event.SubscribeToShardEvent?.Records ?? []) pushed.push(Buffer.from(r.Data));
    if (pushed.length >= 2) break;
  }
  assert.deepEqual(pushed[0], binary);
  assert.equal(pushed[1].toString(), 'two');
  await call('DeregisterStreamConsumer', { ConsumerARN: consumer.ConsumerARN });

  assert.equal((await call('ListShards', { StreamName: name })).Shards.length, 2);
  await call('SplitShard', { StreamName: name, ShardToSplit: 'shardId-000000000000',
    NewStartingHashKey: QUARTER_HASH_KEY });
  await waitActive(name);
  await call('MergeShards', { StreamName: name, ShardToMerge: 'shardId-000000000002',
    AdjacentShardToMerge: 'shardId-000000000003' });
  await waitActive(name);
  const scaled = await call('UpdateShardCount', { StreamName: name, TargetShardCount: 4,
    ScalingType: 'UNIFORM_SCALING' });
  assert.equal(scaled.TargetShardCount, 4);
  await waitActive(name);

  await call('UpdateStreamMode', { StreamARN: arn, StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
  await waitActive(name);
  await call('UpdateStreamRecordDistributionStrategy', { StreamARN: arn, RecordDistributionStrategy: 'AUTO' });
  await call('UpdateAccountSettings', { MinimumThroughputBillingCommitment: { Status: 'ENABLED' } });
  const warm = await call('UpdateStreamWarmThroughput', { StreamARN: arn, WarmThroughputMiBps: 100 });
  assert.equal(warm.WarmThroughput.TargetMiBps, 100);
  await waitActive(name);
  await call('UpdateAccountSettings', { MinimumThroughputBillingCommitment: { Status: 'DISABLED' } });

  const channel = (await call('CreateChannel', { ChannelName: `${name}-channel`,
    ServiceExecutionRoleARN: 'arn:aws:iam::000000000000:role/delivery',
    StreamConfigurationList: [{ StreamARN: arn, RecordConfiguration: { RecordFormatType: 'JSON' } }],
    S3DestinationConfiguration: { StorageConfiguration: { BucketARN: 'arn:aws:s3:::every-op',
      ExpectedBucketOwner: '000000000000', CompressionType: 'ZSTD' } } })).ChannelDescription;
  assert.equal((await call('DescribeChannel', { ChannelARN: channel.ChannelARN })).ChannelDescription.ChannelName,
    `${name}-channel`);
  assert.equal((await call('ListChannels', { StreamFilter: [{ StreamARN: arn }] })).ChannelSummaries.length, 1);
  await call('UpdateChannel', { ChannelARN: channel.ChannelARN,
    LoggingConfiguration: { CloudWatchLogs: { Enabled: true } } });
  await call('DeleteChannel', { ChannelARN: channel.ChannelARN });
  await call('DeleteStream', { StreamName: name });

  const missing = Object.keys(model.operations).filter((op) => !called.has(op));
  assert.deepEqual(missing, [], 'operations of the model not called');
  assert.equal(called.size, 45);
  });
