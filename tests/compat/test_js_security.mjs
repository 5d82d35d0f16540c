// SigV4 verification and permissions with the AWS SDK for JavaScript v3 (tests/node_modules) over HTTP/2:
// h2c on the plain port and h2 over TLS, where the SDK signs the :authority pseudo-header instead of host.
// Good credentials, a wrong secret, an unknown key, none, a clock 20 minutes off either way, a session
// token, a read-only key refused PutRecord and SubscribeToShard.
//
// Run: RIFFLE_BIN=build/riffle node --test tests/compat/test_js_security.mjs
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';

import {
  KinesisClient, CreateStreamCommand, ListStreamsCommand, PutRecordCommand, GetShardIteratorCommand,
  GetRecordsCommand, RegisterStreamConsumerCommand, SubscribeToShardCommand, DescribeStreamSummaryCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttp2Handler } from '@smithy/node-http-handler';

const bin = process.env.RIFFLE_BIN;
const OWNER = '111111111111';
const MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS '
  + 'Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

let dir;
let server;
let stderr = '';
let http;
let https;

before(async () => {
  assert.ok(bin, 'set RIFFLE_BIN to the riffle binary');
  dir = mkdtempSync(join(tmpdir(), 'riffle-jssec-'));
  assert.equal(spawnSync(bin, ['cert', '--out-dir', dir]).status, 0);
  writeFileSync(join(dir, 'reader.json'), JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['kinesis:Get*', 'kinesis:Describe*', 'kinesis:List*'], Resource: '*' }],
  }));
  writeFileSync(join(dir, 'credentials'), [
    '[admin]', 'aws_access_key_id = AKIDADMIN', 'aws_secret_access_key = admin-secret', '',
    '[reader]', 'aws_access_key_id = AKIDREADER', 'aws_secret_access_key = reader-secret',
    'policy_file = reader.json', '',
    '[temp]', 'aws_access_key_id = ASIATEMP', 'aws_secret_access_key = temp-secret',
    'aws_session_token = the-session-token', ''].join('\n'));
  server = spawn(bin, ['serve', '--in-memory', '--host', '127.0.0.1', '--port', '0', '--account-id', OWNER,
    '--credentials', join(dir, 'credentials'), '--tls-cert', join(dir, 'riffle.crt'),
    '--tls-key', join(dir, 'riffle.key'), '--tls-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  const lines = await new Promise((resolve, reject) => {
    const got = [];
    const timer = setTimeout(() => reject(new Error(`riffle not ready: ${stderr}`)), 20000);
    createInterface({ input: server.stdout }).on('line', (line) => {
      got.push(line);
      if (got.length === 2) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
  http = lines[0].replace('Riffle ready at ', '').trim();
  https = lines[1].replace('Riffle ready at ', '').trim();
});

after(() => {
  if (server) server.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function client(key, secret, { token, endpoint = http, offsetMinutes = 0, unsigned = false } = {}) {
  const options = {
    region: 'us-east-1', endpoint, maxAttempts: 1,
    credentials: { accessKeyId: key, secretAccessKey: secret, sessionToken: token },
    systemClockOffset: offsetMinutes * 60 * 1000,
  };
  if (endpoint.startsWith('https')) {
    // The SDK's own HTTP/2 handler, trusting the `riffle cert` certificate.
    options.requestHandler = new NodeHttp2Handler({
      disableConcurrentStreams: true, nodeHttp2ConnectOptions: { ca: readFileSync(join(dir, 'riffle.crt')) },
    });
  }
  const kinesis = new KinesisClient(options);
  if (unsigned) {
    // Sent as a client without credentials would: the SDK signs, then the Authorization header goes.
    kinesis.middlewareStack.addRelativeTo((next) => async (args) => {
      delete args.request.headers.authorization;
      delete args.request.headers['x-amz-date'];
      return next(args);
    }, { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'dropAuthorization' });
  }
  return kinesis;
}

async function refused(promise, name, message) {
  await assert.rejects(promise, (error) => {
    assert.equal(error.name, name, error.message);
    assert.equal(error.$metadata.httpStatusCode, 400);
    if (message instanceof RegExp) assert.match(error.message, message);
    else assert.equal(error.message, message);
    return true;
  });
}

test('good credentials over h2c and h2 (TLS): write and read', async () => {
  for (const endpoint of [http, https]) {
    const admin = client('AKIDADMIN', 'admin-secret', { endpoint });
    const name = `js-${endpoint.startsWith('https') ? 'tls' : 'plain'}`;
    await admin.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    const put = await admin.send(new PutRecordCommand({ StreamName: name, Data: Buffer.from('h2'), PartitionKey: 'k' }));
    const it = await admin.send(new GetShardIteratorCommand({ StreamName: name, ShardId: put.ShardId,
      ShardIteratorType: 'TRIM_HORIZON' }));
    const got = await admin.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    assert.deepEqual(got.Records.map((r) => Buffer.from(r.Data).toString()), ['h2']);
    admin.destroy();
  }
});

test('wrong secret, unknown key, no credentials', async () => {
  await refused(client('AKIDADMIN', 'wrong').send(new ListStreamsCommand({})), 'InvalidSignatureException', MISMATCH);
  await refused(client('AKIDNOBODY', 'x').send(new ListStreamsCommand({})), 'UnrecognizedClientException',
    INVALID_TOKEN);
  await refused(client('AKIDADMIN', 'admin-secret', { unsigned: true }).send(new ListStreamsCommand({})),
    'MissingAuthenticationTokenException', 'Missing Authentication Token');
});

test('a clock 20 minutes off either way', async () => {
  await refused(client('AKIDADMIN', 'admin-secret', { offsetMinutes: -20 }).send(new ListStreamsCommand({})),
    'InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  await refused(client('AKIDADMIN', 'admin-secret', { offsetMinutes: 20 }).send(new ListStreamsCommand({})),
    'InvalidSignatureException', /^Signature not yet current: /);
});

test('session tokens', async () => {
  const ok = await client('ASIATEMP', 'temp-secret', { token: 'the-session-token' }).send(new ListStreamsCommand({}));
  assert.ok(Array.isArray(ok.StreamNames));
  await refused(client('ASIATEMP', 'temp-secret').send(new ListStreamsCommand({})), 'UnrecognizedClientException',
    INVALID_TOKEN);
  await refused(client('ASIATEMP', 'temp-secret', { token: 'other' }).send(new ListStreamsCommand({})),
    'UnrecognizedClientException', INVALID_TOKEN);
});

test('a read-only key: reads yes, PutRecord and SubscribeToShard no', async () => {
  const admin = client('AKIDADMIN', 'admin-secret');
  await admin.send(new CreateStreamCommand({ StreamName: 'js-policy', ShardCount: 1 }));
  const arn = `arn:aws:kinesis:us-east-1:${OWNER}:stream/js-policy`;
  const consumer = await admin.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: 'app' }));
  const reader = client('AKIDREADER', 'reader-secret');
  const summary = await reader.send(new DescribeStreamSummaryCommand({ StreamName: 'js-policy' }));
  assert.equal(summary.StreamDescriptionSummary.StreamARN, arn);
  const user = `arn:aws:iam::${OWNER}:user/reader`;
  await refused(reader.send(new PutRecordCommand({ StreamName: 'js-policy', Data: Buffer.from('x'), PartitionKey: 'k' })),
    'AccessDeniedException', `User: ${user} is not authorized to perform: kinesis:PutRecord on resource: ${arn} `
    + 'because no identity-based policy allows the kinesis:PutRecord action');
  const consumerArn = consumer.Consumer.ConsumerARN;
  await refused(reader.send(new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: 'shardId-000000000000',
    StartingPosition: { Type: 'TRIM_HORIZON' } })), 'AccessDeniedException',
  `User: ${user} is not authorized to perform: kinesis:SubscribeToShard on resource: ${consumerArn} `
    + 'because no identity-based policy allows the kinesis:SubscribeToShard action');
  admin.destroy();
  reader.destroy();
});
