// One pass over the core Kinesis operations with the AWS SDK for JavaScript
// v3 and its DEFAULT request handler (NodeHttp2Handler: every call over
// HTTP/2; h2c with prior knowledge on http://, ALPN h2 on https://).
//
// Imported by test_js_sdk.mjs, and run as a child process for https (so that
// NODE_EXTRA_CA_CERTS, read only at start-up, can name a `riffle cert`):
//   node js_sdk_scenario.mjs https://127.0.0.1:PORT
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import {
  KinesisClient, CreateStreamCommand, DescribeStreamCommand, PutRecordCommand, PutRecordsCommand,
  GetShardIteratorCommand, GetRecordsCommand, ListStreamsCommand, DeleteStreamCommand,
} from '@aws-sdk/client-kinesis';

const ACCOUNT = '000000000000';

export function makeClient(endpoint) {
  // Only endpoint, region and credentials: everything else is the default.
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

export async function runScenario(endpoint) {
  const client = makeClient(endpoint);
  try {
    assert.equal(client.config.requestHandler.constructor.name, 'NodeHttp2Handler');
    const name = `js-${process.pid}-${randomBytes(4).toString('hex')}`;

    await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
    const described = await client.send(new DescribeStreamCommand({ StreamName: name }));
    assert.equal(described.StreamDescription.StreamName, name);
    assert.equal(described.StreamDescription.StreamStatus, 'ACTIVE');
    assert.equal(described.StreamDescription.Shards.length, 2);
    assert.match(described.$metadata.requestId ?? '', /.+/);

    const one = await client.send(new PutRecordCommand({
      StreamName: name, PartitionKey: 'pk-hello', Data: new TextEncoder().encode('hello'),
    }));
    assert.match(one.ShardId, /^shardId-0000000000\d\d$/);
    assert.match(one.SequenceNumber, /^\d{56}$/);

    // A large PutRecords body (several MiB over HTTP/2 flow control): four
    // 700 KiB records plus 50 small ones.
    const big = (i) => Buffer.alloc(700 * 1024, 65 + i);
    const entries = [];
    for (let i = 0; i < 4; i++) entries.push({ PartitionKey: `big-${i}`, Data: big(i) });
    for (let i = 0; i < 50; i++) entries.push({ PartitionKey: `pk-${i}`, Data: Buffer.from(`small-${i}`) });
    const many = await client.send(new PutRecordsCommand({ StreamName: name, Records: entries }));
    assert.equal(many.FailedRecordCount ?? 0, 0);
    assert.equal(many.Records.length, entries.length);
    for (const r of many.Records) assert.match(r.SequenceNumber, /^\d{56}$/);

    // Read everything back from both shards (the large records make
    // multi-MiB GetRecords responses).
    const seen = new Map();
    for (const shard of described.StreamDescription.Shards) {
      const it = await client.send(new GetShardIteratorCommand({
        StreamName: name, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON',
      }));
      let iterator = it.ShardIterator;
      for (let round = 0; round < 20 && iterator; round++) {
        const got = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10000 }));
        for (const r of got.Records) seen.set(r.PartitionKey, Buffer.from(r.Data));
        if (got.Records.length === 0) break;
        iterator = got.NextShardIterator;
      }
    }
    assert.equal(seen.size, entries.length + 1);
    assert.equal(seen.get('pk-hello').toString(), 'hello');
    for (let i = 0; i < 4; i++) assert.ok(seen.get(`big-${i}`).equals(big(i)), `big-${i} round-trips`);
    for (let i = 0; i < 50; i++) assert.equal(seen.get(`pk-${i}`).toString(), `small-${i}`);

    const listed = await client.send(new ListStreamsCommand({}));
    assert.ok(listed.StreamNames.includes(name));

    const missing = `${name}-missing`;
    await assert.rejects(client.send(new DescribeStreamCommand({ StreamName: missing })), (err) => {
      assert.equal(err.name, 'ResourceNotFoundException');
      assert.equal(err.message, `Stream ${missing} under account ${ACCOUNT} not found.`);
      assert.equal(err.$fault, 'client');
      assert.equal(err.$metadata.httpStatusCode, 400);
      return true;
    });

    await client.send(new DeleteStreamCommand({ StreamName: name }));
  } finally {
    client.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  runScenario(process.argv[2]).then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    });
}
