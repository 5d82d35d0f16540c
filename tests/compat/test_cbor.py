"""The CBOR wire protocol (application/x-amz-cbor-1.1) against the real binary.

Bodies are encoded and decoded with cbor2 (Debian python3-cbor2), an
implementation independent of Riffle's; requests are SigV4-signed with the
standard library. Covers the stream lifecycle, records (blobs as byte
strings, timestamps as tag 1 + epoch milliseconds both ways), errors in CBOR
with the same texts as the JSON protocol, malformed bodies, and a
side-by-side comparison with kinesalite (tests/node_modules) for bad CBOR.

Run: RIFFLE_BIN=build/riffle /usr/bin/python3 tests/compat/test_cbor.py -v
"""

import datetime
import hashlib
import hmac
import http.client
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse

import cbor2
import cbor2.decoder

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, unique_name, wait_until  # noqa: E402

CBOR_11 = 'application/x-amz-cbor-1.1'
JSON_11 = 'application/x-amz-json-1.1'
KINESALITE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'node_modules', 'kinesalite')

# AWS's CBOR protocol puts epoch MILLISECONDS under tag 1 (RFC 8949 says
# seconds); keep tag 1 raw instead of letting cbor2 turn it into a datetime.
# (cbor2.loads may be the C extension; the pure-Python decoder honours this.)
cbor2.decoder.semantic_decoders.pop(1, None)


def loads(data):
    decoder = cbor2.decoder.CBORDecoder(io.BytesIO(data))
    value = decoder.decode()
    assert decoder.fp.read() == b'', 'trailing bytes after the response body'
    return value


def millis(value):
    """Epoch millis from a decoded timestamp member (tag 1 + integer)."""
    assert getattr(value, 'tag', None) == 1, value
    assert isinstance(value.value, int), value
    return value.value


def sign(host, port, target, body, content_type, region='us-east-1'):
    """Headers of a SigV4-signed POST / (key AKIDTEST, secret 'secret')."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime('%Y%m%dT%H%M%SZ'), now.strftime('%Y%m%d')
    headers = {'content-type': content_type, 'host': '%s:%d' % (host, port), 'x-amz-date': amz_date,
               'x-amz-target': target}
    signed = ';'.join(sorted(headers))
    canonical = '\n'.join(['POST', '/', ''] + ['%s:%s' % (k, headers[k]) for k in sorted(headers)] +
                          ['', signed, hashlib.sha256(body).hexdigest()])
    scope = '%s/%s/kinesis/aws4_request' % (day, region)
    to_sign = '\n'.join(['AWS4-HMAC-SHA256', amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ('AWS4secret').encode()
    for part in (day, region, 'kinesis', 'aws4_request'):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers['authorization'] = ('AWS4-HMAC-SHA256 Credential=AKIDTEST/%s, SignedHeaders=%s, Signature=%s'
                                % (scope, signed, signature))
    return headers


def post(port, target, body, content_type=CBOR_11, signed=True):
    """POST one request; returns (status, content type, raw body)."""
    headers = sign('127.0.0.1', port, target, body, content_type) if signed else {
        'content-type': content_type, 'x-amz-target': target}
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    try:
        conn.request('POST', '/', body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.getheader('Content-Type') or '', resp.read()
    finally:
        conn.close()


class Cbor(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer().start()
        cls.port = urllib.parse.urlsplit(cls.server.endpoint).port

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def call(self, op, payload=None, raw=None, signed=True):
        """(status, decoded CBOR body) of a CBOR request; asserts the CBOR content type."""
        body = raw if raw is not None else cbor2.dumps(payload or {})
        status, content_type, data = post(self.port, 'Kinesis_20131202.' + op, body, signed=signed)
        self.assertEqual(content_type, CBOR_11)
        return status, loads(data)

    def ok(self, op, payload=None):
        status, body = self.call(op, payload)
        self.assertEqual(status, 200, body)
        return body

    def json_call(self, op, payload):
        status, content_type, data = post(self.port, 'Kinesis_20131202.' + op, json.dumps(payload).encode(),
                                          content_type=JSON_11)
        self.assertEqual(content_type, JSON_11)
        return status, json.loads(data)

    def empty_ok(self, op, payload):
        """An operation whose output is empty answers 200 with an empty body over CBOR too, as AWS does."""
        status, content_type, data = post(self.port, 'Kinesis_20131202.' + op, cbor2.dumps(payload))
        self.assertEqual((status, content_type, data), (200, CBOR_11, b''))

    def create(self, shards=1):
        name = unique_name('cbor')
        self.empty_ok('CreateStream', {'StreamName': name, 'ShardCount': shards})
        wait_until(lambda: self.ok('DescribeStream', {'StreamName': name})['StreamDescription']['StreamStatus']
                   == 'ACTIVE', what='ACTIVE')
        return name

    def test_describe_and_list_shards(self):
        before = int(time.time() * 1000)
        name = self.create(shards=2)
        desc = self.ok('DescribeStream', {'StreamName': name})['StreamDescription']
        self.assertEqual(desc['StreamName'], name)
        self.assertEqual(len(desc['Shards']), 2)
        self.assertIs(desc['HasMoreShards'], False)
        self.assertIsInstance(desc['RetentionPeriodHours'], int)
        created = millis(desc['StreamCreationTimestamp'])
        # Milliseconds, not seconds: within a day of the local clock.
        self.assertLess(abs(created - before), 86400 * 1000)
        shards = self.ok('ListShards', {'StreamName': name})['Shards']
        self.assertEqual([s['ShardId'] for s in shards], [s['ShardId'] for s in desc['Shards']])
        summary = self.ok('DescribeStreamSummary', {'StreamName': name})['StreamDescriptionSummary']
        self.assertEqual(millis(summary['StreamCreationTimestamp']), created)

    def test_empty_outputs_are_empty_bodies(self):
        name = self.create()
        self.empty_ok('AddTagsToStream', {'StreamName': name, 'Tags': {'k': 'v'}})
        self.empty_ok('RemoveTagsFromStream', {'StreamName': name, 'TagKeys': ['k']})
        self.empty_ok('DeleteStream', {'StreamName': name})

    def test_records_blobs_and_timestamps(self):
        name = self.create()
        payloads = [b'', b'\x00\xff binary \x01', os.urandom(1000)]
        put = self.ok('PutRecord', {'StreamName': name, 'Data': payloads[0], 'PartitionKey': 'a'})
        self.assertEqual(put['ShardId'], 'shardId-000000000000')
        result = self.ok('PutRecords', {'StreamName': name, 'Records': [
            {'Data': p, 'PartitionKey': 'k%d' % i} for i, p in enumerate(payloads[1:])]})
        self.assertEqual(result['FailedRecordCount'], 0)
        self.assertEqual(len(result['Records']), 2)
        it = self.ok('GetShardIterator', {'StreamName': name, 'ShardId': put['ShardId'],
                                          'ShardIteratorType': 'TRIM_HORIZON'})['ShardIterator']
        got = self.ok('GetRecords', {'ShardIterator': it, 'Limit': 10})
        records = got['Records']
        self.assertEqual([r['Data'] for r in records], payloads)  # byte strings, not base64 text
        self.assertEqual(records[0]['SequenceNumber'], put['SequenceNumber'])
        self.assertIsInstance(got['MillisBehindLatest'], int)
        self.assertIsInstance(got['NextShardIterator'], str)
        arrivals = [millis(r['ApproximateArrivalTimestamp']) for r in records]
        self.assertLess(abs(arrivals[0] - time.time() * 1000), 86400 * 1000)

        # AT_TIMESTAMP with tag 1 + epoch millis, as the Java SDK sends it.
        def at(ts):
            it = self.ok('GetShardIterator', {'StreamName': name, 'ShardId': put['ShardId'],
                                              'ShardIteratorType': 'AT_TIMESTAMP',
                                              'Timestamp': cbor2.CBORTag(1, ts)})['ShardIterator']
            return [r['SequenceNumber'] for r in self.ok('GetRecords', {'ShardIterator': it})['Records']]
        seqs = [r['SequenceNumber'] for r in records]
        self.assertEqual(at(arrivals[0]), seqs)
        self.assertEqual(at(arrivals[-1]), [s for s, a in zip(seqs, arrivals) if a >= arrivals[-1]])
        self.assertEqual(at(arrivals[-1] + 1), [])

        # The JSON protocol sees the same records (base64 Data, epoch seconds).
        status, body = self.json_call('GetRecords', {'ShardIterator': it})
        self.assertEqual(status, 200)
        self.assertEqual(len(body['Records']), 3)
        self.assertAlmostEqual(body['Records'][1]['ApproximateArrivalTimestamp'], arrivals[1] / 1000.0, places=3)

    def test_indefinite_lengths_and_text_blob(self):
        name = self.create()
        # {_ "StreamName": (_ name), "Data": (_ h'01', h'02'), "PartitionKey": "p"} built by hand.
        enc = name.encode()
        body = (b'\xbf' + cbor2.dumps('StreamName') + b'\x7f' + cbor2.dumps(enc.decode()) + b'\xff' +
                cbor2.dumps('Data') + b'\x5f\x41\x01\x41\x02\xff' + cbor2.dumps('PartitionKey') +
                cbor2.dumps('p') + b'\xff')
        status, put = self.call('PutRecord', raw=body)
        self.assertEqual(status, 200, put)
        # Data as base64 text is accepted too (as over JSON).
        self.ok('PutRecord', {'StreamName': name, 'Data': 'AwQ=', 'PartitionKey': 'p'})
        it = self.ok('GetShardIterator', {'StreamName': name, 'ShardId': put['ShardId'],
                                          'ShardIteratorType': 'TRIM_HORIZON'})['ShardIterator']
        self.assertEqual([r['Data'] for r in self.ok('GetRecords', {'ShardIterator': it})['Records']],
                         [b'\x01\x02', b'\x03\x04'])

    def test_errors_match_the_json_protocol(self):
        missing = unique_name('cbor-missing')
        cases = [
            ('DescribeStream', {'StreamName': missing}),
            ('PutRecord', {'StreamName': missing, 'Data': 'AAAA', 'PartitionKey': 'p'}),
            ('CreateStream', {'StreamName': 'bad name!', 'ShardCount': 0}),
            ('PutRecord', {'StreamName': missing, 'Data': 5, 'PartitionKey': 'p'}),
            ('PutRecord', {'StreamName': missing, 'Data': 'AAA', 'PartitionKey': 'p'}),
            ('GetShardIterator', {'StreamName': missing, 'ShardId': 'shardId-0', 'ShardIteratorType': 'NOPE'}),
            ('GetShardIterator', {'StreamName': missing, 'ShardId': 'shardId-0', 'ShardIteratorType': 'LATEST',
                                  'Timestamp': 'yesterday'}),
            ('GetRecords', {'ShardIterator': 'x', 'Limit': 100000}),
            ('ListShards', {'StreamName': missing, 'MaxResults': 'ten'}),
            ('ListShards', {'StreamName': missing, 'NextToken': 'x'}),
            ('PutRecords', {'StreamName': missing, 'Records': {}}),
            ('PutRecords', {'StreamName': missing, 'Records': []}),
        ]
        for op, payload in cases:
            with self.subTest(op=op, payload=payload):
                status, body = self.call(op, payload)
                json_status, json_body = self.json_call(op, payload)
                self.assertEqual(status, 400)
                self.assertEqual((status, body), (json_status, json_body))
        status, body = self.call('DescribeStream', {'StreamName': missing})
        self.assertEqual(body, {'__type': 'ResourceNotFoundException',
                                'message': 'Stream %s under account 000000000000 not found.' % missing})

    def test_malformed_bodies(self):
        for raw in [b'\xa1', b'\xa1\x61', b'\x80', b'\x61a', b'\xff', b'\xa0\x00', b'\xa1\x01\x02',
                    b'\x9f' * 100000, b'\xbf\x61a\x5b\xff\xff\xff\xff\xff\xff\xff\xff']:
            with self.subTest(raw=raw[:12]):
                self.assertEqual(self.call('ListStreams', raw=raw), (400, {'__type': 'SerializationException'}))

    def test_protocol_errors(self):
        self.assertEqual(self.call('NoSuchOperation', {}), (400, {'__type': 'UnknownOperationException'}))
        self.assertEqual(self.call('ListStreams', {}, signed=False),
                         (400, {'__type': 'MissingAuthenticationTokenException',
                                'message': 'Missing Authentication Token'}))
        self.assertEqual(self.call('ListStreams', raw=b''), (400, {'__type': 'SerializationException'}))
        status, body = self.call('ListStreams', {'Limit': 1})
        self.assertEqual(status, 200)
        self.assertIn('StreamNames', body)


class Kinesalite:
    """kinesalite on a free port (node + tests/node_modules)."""

    def __init__(self):
        script = ("var k = require(process.argv[1])({createStreamMs: 0});"
                  "var s = k.listen(0, '127.0.0.1', function() { console.log('PORT ' + s.address().port) })")
        self.proc = subprocess.Popen(['node', '-e', script, KINESALITE], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        box = []
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(20)
        if not box or not box[0].startswith(b'PORT '):
            self.close()
            raise RuntimeError('kinesalite did not start: %r' % box)
        self.port = int(box[0].split()[1])

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None


class KinesaliteSideBySide(unittest.TestCase):
    """Bad CBOR requests: kinesalite (written against real Kinesis) and Riffle answer alike."""

    @classmethod
    def setUpClass(cls):
        if not os.path.isdir(KINESALITE) or not shutil.which('node'):
            raise RuntimeError('kinesalite not installed: run npm ci --prefix tests')
        cls.kinesalite = Kinesalite()
        cls.server = RiffleServer().start()
        cls.ports = {'kinesalite': cls.kinesalite.port, 'riffle': urllib.parse.urlsplit(cls.server.endpoint).port}

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        cls.kinesalite.close()

    def answers(self, target, raw, signed=True):
        out = {}
        for side, port in self.ports.items():
            status, content_type, data = post(port, target, raw, signed=signed)
            out[side] = (status, content_type, loads(data) if data else None)
        return out

    def test_same_errors(self):
        nx = unique_name('cbor-nx')
        cases = {
            'truncated map': ('ListStreams', b'\xa1\x61'),
            'trailing bytes': ('ListStreams', b'\xa0\x00'),
            'top-level text': ('ListStreams', b'\x63abc'),
            'top-level integer': ('DescribeStream', b'\x01'),
            'lone break': ('DescribeStream', b'\xff'),
            'reserved head': ('DescribeStream', b'\xa1\x61a\x1c'),
            'string longer than body': ('DescribeStream', b'\xa1\x61a\x7a\xff\xff\xff\xff'),
            'unknown operation': ('Nope', cbor2.dumps({})),
            'unsigned': ('ListStreams', cbor2.dumps({}), False),
            'StreamName as integer': ('DescribeStream', cbor2.dumps({'StreamName': 5})),
            'StreamName as bool': ('DescribeStream', cbor2.dumps({'StreamName': True})),
            'StreamName as bytes': ('DescribeStream', cbor2.dumps({'StreamName': b'abc'})),
            'Data as integer': ('PutRecord', cbor2.dumps({'StreamName': nx, 'Data': 1, 'PartitionKey': 'p'})),
            'Data bad base64': ('PutRecord', cbor2.dumps({'StreamName': nx, 'Data': 'abc', 'PartitionKey': 'p'})),
            'Timestamp as text': ('GetShardIterator', cbor2.dumps({
                'StreamName': nx, 'ShardId': 'shardId-0', 'ShardIteratorType': 'LATEST', 'Timestamp': 'x'})),
            'Records as map': ('PutRecords', cbor2.dumps({'StreamName': nx, 'Records': {'a': 1}})),
            'Limit as text': ('ListStreams', cbor2.dumps({'Limit': 'x'})),
            'missing stream': ('DescribeStream', cbor2.dumps({'StreamName': nx})),
        }
        for name, case in cases.items():
            target, raw = 'Kinesis_20131202.' + case[0], case[1]
            signed = case[2] if len(case) > 2 else True
            with self.subTest(case=name):
                got = self.answers(target, raw, signed)
                self.assertEqual(got['riffle'], got['kinesalite'])
                self.assertEqual(got['riffle'][1], CBOR_11)
                self.assertEqual(got['riffle'][0], 400)


if __name__ == '__main__':
    unittest.main()
