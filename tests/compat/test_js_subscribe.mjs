// SubscribeToShard with the AWS SDK for JavaScript v3 and its default
// NodeHttp2Handler (h2c with prior knowledge): records pushed while the
// shard is read, a SplitShard during the subscription ends it with
// ChildShards, and subscriptions to the children carry on with the records
// put after the split.
//
// Run: RIFFLE_BIN=build/riffle node --test tests/compat/test_js_subscribe.mjs
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  KinesisClient, CreateStreamCommand, DescribeStreamCommand, PutRecordCommand, RegisterStreamConsumerCommand,
  SplitShardCommand, SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';

import { startRiffle } from '../support/riffle_server.mjs';

let server;
let endpoint;
let client;

before(async () => {
  server = await startRiffle();
  endpoint = server.http;
  client = new KinesisClient({
    endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

after(async () => {
  client?.destroy();
  if (server) assert.equal(await server.stop(), 0, `riffle exit code after SIGTERM; stderr: ${server.stderr()}`);
});

const text = (bytes) => new TextDecoder().decode(bytes);

function subscribe(consumerARN, shardId) {
  return client.send(new SubscribeToShardCommand({
    ConsumerARN: consumerARN, ShardId: shardId, StartingPosition: { Type: 'TRIM_HORIZON' },
  }));
}

// Reads events until `count` records arrived (then returns, leaving the
// iterator open), or until the stream ends.
async function readRecords(iterator, count, events = []) {
  const records = [];
  while (records.length < count) {
    const { value, done } = await iterator.next();
    if (done) break;
    assert.ok(value.SubscribeToShardEvent, `unexpected event ${JSON.stringify(value)}`);
    events.push(value.SubscribeToShardEvent);
    records.push(...value.SubscribeToShardEvent.Records);
  }
  return records;
}

test('h2: records arrive, a split ends the parent with ChildShards, children continue', async () => {
  assert.equal(client.config.requestHandler.constructor.name, 'NodeHttp2Handler');
  const name = `jssub-${process.pid}-${randomBytes(4).toString('hex')}`;
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  const stream = (await client.send(new DescribeStreamCommand({ StreamName: name }))).StreamDescription;
  assert.equal(stream.StreamStatus, 'ACTIVE');
  const consumer = (await client.send(new RegisterStreamConsumerCommand({
    StreamARN: stream.StreamARN, ConsumerName: 'fanout',
  }))).Consumer;

  const parent = await subscribe(consumer.ConsumerARN, 'shardId-000000000000');
  const events = parent.EventStream[Symbol.asyncIterator]();
  const put = async (key, data, hashKey) => client.send(new PutRecordCommand({
    StreamName: name, PartitionKey: key, Data: new TextEncoder().encode(data), ExplicitHashKey: hashKey,
  }));
  const before = [];
  for (let i = 0; i < 3; i++) before.push(await put(`k${i}`, `before-${i}`));
  const seen = [];
  const first = await readRecords(events, 3, seen);
  assert.deepEqual(first.map((r) => text(r.Data)), ['before-0', 'before-1', 'before-2']);
  assert.deepEqual(first.map((r) => r.SequenceNumber), before.map((p) => p.SequenceNumber));
  assert.equal(first[0].PartitionKey, 'k0');
  assert.ok(first[0].ApproximateArrivalTimestamp instanceof Date);
  assert.equal(seen.at(-1).ContinuationSequenceNumber, before.at(-1).SequenceNumber);

  // Split while the subscription reads: the parent closes, its subscription
  // sends ChildShards and ends.
  const middle = (2n ** 127n).toString();
  await client.send(new SplitShardCommand({
    StreamName: name, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: middle,
  }));
  const tail = [];
  const rest = await readRecords(events, Infinity, tail);
  assert.deepEqual(rest, []);
  const last = tail.at(-1);
  assert.ok(last, 'an event with ChildShards before the end');
  assert.equal(last.ContinuationSequenceNumber, undefined);
  assert.deepEqual(last.ChildShards.map((c) => c.ShardId).sort(), ['shardId-000000000001', 'shardId-000000000002']);
  for (const child of last.ChildShards) assert.deepEqual(child.ParentShards, ['shardId-000000000000']);

  // Records put after the split land in the children; subscribing to each
  // child (same consumer, other shards) reads them.
  const low = await put('low', 'after-low', '1');
  const high = await put('high', 'after-high', (2n ** 128n - 2n).toString());
  assert.equal(low.ShardId, 'shardId-000000000001');
  assert.equal(high.ShardId, 'shardId-000000000002');
  for (const [shardId, expected] of [['shardId-000000000001', 'after-low'], ['shardId-000000000002', 'after-high']]) {
    const sub = await subscribe(consumer.ConsumerARN, shardId);
    const it = sub.EventStream[Symbol.asyncIterator]();
    const got = await readRecords(it, 1);
    assert.deepEqual(got.map((r) => text(r.Data)), [expected]);
    await it.return?.();
  }
});

test('h2: an unknown consumer is a ResourceNotFoundException', async () => {
  await assert.rejects(
    client.send(new SubscribeToShardCommand({
      ConsumerARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/nope/consumer/c:1',
      ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' },
    })),
    (e) => e.name === 'ResourceNotFoundException');
});
