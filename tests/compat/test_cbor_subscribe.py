"""SubscribeToShard over the CBOR protocol (application/x-amz-cbor-1.1),
as the AWS SDK for Java v2 (KCL 2.x) sends it, against the real binary.

The request is SigV4-signed CBOR over HTTP/1.1; the chunked event stream is
read with http.client and its framing parsed here by hand (lengths and both
CRC32s checked with zlib), payloads decoded with cbor2 (Debian
python3-cbor2) — both independent of Riffle's encoders. Covers the
initial-response, records put after subscribing (Data as byte strings,
ApproximateArrivalTimestamp as tag 1 + epoch milliseconds), an exception
message in CBOR when the consumer is deregistered, errors before the
stream as CBOR error bodies, and the same stream over HTTP/2 (h2c, nghttp
from Debian's nghttp2-client) as the Java SDK's Netty client uses.

Run: RIFFLE_BIN=build/riffle /usr/bin/python3 tests/compat/test_cbor_subscribe.py -v
"""

import http.client
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

import cbor2

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, unique_name, wait_until  # noqa: E402
from test_cbor import CBOR_11, JSON_11, loads, millis, post, sign  # noqa: E402

EVENT_STREAM = 'application/vnd.amazon.eventstream'
SHARD0 = 'shardId-000000000000'
TARGET = 'Kinesis_20131202.'


def parse_message(buf):
    """(headers, payload, size) of the message at the start of buf, or None
    if buf holds no complete message yet. Checks lengths and CRCs."""
    if len(buf) < 12:
        return None
    total, headers_length, prelude_crc = struct.unpack('>III', buf[:12])
    assert zlib.crc32(buf[:8]) == prelude_crc, 'prelude CRC'
    assert 16 + headers_length <= total, (total, headers_length)
    if len(buf) < total:
        return None
    assert zlib.crc32(buf[:total - 4]) == struct.unpack('>I', buf[total - 4:total])[0], 'message CRC'
    headers, raw, at = {}, buf[12:12 + headers_length], 0
    while at < len(raw):
        name_length = raw[at]
        name = raw[at + 1:at + 1 + name_length].decode()
        at += 1 + name_length
        assert raw[at] == 7, 'header %s is not a string' % name
        value_length = struct.unpack('>H', raw[at + 1:at + 3])[0]
        headers[name] = raw[at + 3:at + 3 + value_length].decode()
        at += 3 + value_length
    return headers, bytes(buf[12 + headers_length:total - 4]), total


class Subscription:
    """One CBOR SubscribeToShard over HTTP/1.1, read message by message."""

    def __init__(self, port, payload):
        body = cbor2.dumps(payload)
        self.conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
        self.conn.request('POST', '/', body=body,
                          headers=sign('127.0.0.1', port, TARGET + 'SubscribeToShard', body, CBOR_11))
        self.response = self.conn.getresponse()
        self.buf = bytearray()

    def next_message(self):
        """(headers, payload) of the next message, or None at the end of the body."""
        while True:
            parsed = parse_message(self.buf)
            if parsed is not None:
                headers, payload, size = parsed
                del self.buf[:size]
                return headers, payload
            data = self.response.read1(65536)
            if not data:
                assert not self.buf, 'body ended inside a message'
                return None
            self.buf += data

    def close(self):
        self.conn.close()


class CborSubscribe(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer(in_memory=True).start()
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def call(self, op, payload):
        status, content_type, data = post(self.port, TARGET + op, cbor2.dumps(payload))
        self.assertEqual(content_type, CBOR_11)
        return status, (loads(data) if data else {})  # an empty output is an empty body

    def ok(self, op, payload):
        status, body = self.call(op, payload)
        self.assertEqual(status, 200, body)
        return body

    def setup_consumer(self, prefix):
        name = unique_name(prefix)
        self.ok('CreateStream', {'StreamName': name, 'ShardCount': 1})
        wait_until(lambda: self.ok('DescribeStreamSummary', {'StreamName': name})['StreamDescriptionSummary']
                   ['StreamStatus'] == 'ACTIVE', what='stream ACTIVE')
        arn = self.ok('DescribeStreamSummary', {'StreamName': name})['StreamDescriptionSummary']['StreamARN']
        consumer = self.ok('RegisterStreamConsumer', {'StreamARN': arn, 'ConsumerName': 'app'})['Consumer']
        wait_until(lambda: self.ok('DescribeStreamConsumer', {'ConsumerARN': consumer['ConsumerARN']})
                   ['ConsumerDescription']['ConsumerStatus'] == 'ACTIVE', what='consumer ACTIVE')
        return name, consumer['ConsumerARN']

    def subscribe(self, consumer, position):
        sub = Subscription(self.port, {'ConsumerARN': consumer, 'ShardId': SHARD0, 'StartingPosition': position})
        self.addCleanup(sub.close)
        return sub

    def assertEvent(self, headers, event_type):
        self.assertEqual(headers, {':event-type': event_type, ':content-type': CBOR_11, ':message-type': 'event'})

    def test_records_put_after_subscribing_arrive_in_cbor(self):
        name, consumer = self.setup_consumer('cborsub')
        self.ok('PutRecord', {'StreamName': name, 'PartitionKey': 'old', 'Data': b'before'})
        sub = self.subscribe(consumer, {'Type': 'LATEST'})
        self.assertEqual(sub.response.status, 200)
        self.assertEqual(sub.response.getheader('Content-Type'), EVENT_STREAM)
        self.assertEqual(sub.response.getheader('Transfer-Encoding'), 'chunked')
        self.assertTrue(sub.response.getheader('x-amzn-RequestId'))

        headers, payload = sub.next_message()
        self.assertEvent(headers, 'initial-response')
        self.assertEqual(loads(payload), {})

        before = int(time.time() * 1000)
        data = [b'\x00\xff binary \x01', os.urandom(300)]
        put = self.ok('PutRecords', {'StreamName': name, 'Records': [
            {'Data': d, 'PartitionKey': 'pk%d' % i} for i, d in enumerate(data)]})
        self.assertEqual(put['FailedRecordCount'], 0)
        after = int(time.time() * 1000)

        records, events = [], []
        while len(records) < len(data):
            message = sub.next_message()
            self.assertIsNotNone(message, 'stream ended before the records arrived')
            headers, payload = message
            self.assertEvent(headers, 'SubscribeToShardEvent')
            event = loads(payload)
            self.assertIsInstance(event['MillisBehindLatest'], int)
            events.append(event)
            records += event['Records']
        self.assertEqual([r['Data'] for r in records], data)  # byte strings, not base64 text
        self.assertEqual([r['PartitionKey'] for r in records], ['pk0', 'pk1'])
        self.assertEqual([r['SequenceNumber'] for r in records], [r['SequenceNumber'] for r in put['Records']])
        for r in records:
            arrival = millis(r['ApproximateArrivalTimestamp'])  # tag 1 + integer epoch millis
            self.assertGreaterEqual(arrival, before - 1000)
            self.assertLessEqual(arrival, after + 1000)
            self.assertNotIn('EncryptionType', r)
        self.assertEqual(events[-1]['ContinuationSequenceNumber'], put['Records'][-1]['SequenceNumber'])
        self.assertNotIn('ChildShards', events[-1])

    def test_deregistered_consumer_ends_with_a_cbor_exception(self):
        name, consumer = self.setup_consumer('cborsubdereg')
        sub = self.subscribe(consumer, {'Type': 'TRIM_HORIZON'})
        headers, _ = sub.next_message()
        self.assertEvent(headers, 'initial-response')
        self.ok('DeregisterStreamConsumer', {'ConsumerARN': consumer})
        while True:
            message = sub.next_message()
            self.assertIsNotNone(message, 'stream ended without an exception message')
            headers, payload = message
            if headers[':message-type'] != 'event':
                break
            self.assertEvent(headers, 'SubscribeToShardEvent')
        self.assertEqual(headers, {':exception-type': 'ResourceNotFoundException', ':content-type': CBOR_11,
                                   ':message-type': 'exception'})
        body = loads(payload)
        self.assertEqual(list(body), ['message'])
        self.assertIn('app', body['message'])
        self.assertIsNone(sub.next_message())  # the body ends after the exception

    def test_errors_before_the_stream_are_cbor_bodies(self):
        name, consumer = self.setup_consumer('cborsuberr')
        missing = consumer.rsplit(':', 1)[0] + ':1'
        cases = [
            ({'ConsumerARN': missing, 'ShardId': SHARD0, 'StartingPosition': {'Type': 'LATEST'}},
             'ResourceNotFoundException'),
            ({'ConsumerARN': consumer, 'ShardId': 'shardId-000000000009', 'StartingPosition': {'Type': 'LATEST'}},
             'ResourceNotFoundException'),
            ({'ConsumerARN': consumer, 'ShardId': SHARD0}, 'ValidationException'),
            ({'ConsumerARN': consumer, 'ShardId': SHARD0, 'StartingPosition': {'Type': 'AT_TIMESTAMP',
                                                                              'Timestamp': 'soon'}},
             'SerializationException'),
        ]
        for payload, error in cases:
            with self.subTest(error=error, payload=payload):
                status, body = self.call('SubscribeToShard', payload)
                self.assertEqual(status, 400, body)
                self.assertEqual(body['__type'], error)
                # The same error and text as over JSON.
                status, content_type, data = post(self.port, TARGET + 'SubscribeToShard',
                                                  json.dumps(payload).encode(), content_type=JSON_11)
                self.assertEqual(status, 400)
                self.assertEqual(content_type, JSON_11)
                self.assertEqual(body, json.loads(data))


def parse_all(data):
    """Every message of a complete event-stream body."""
    messages, buf = [], bytearray(data)
    while buf:
        parsed = parse_message(buf)
        assert parsed is not None, 'body ends inside a message'
        headers, payload, size = parsed
        messages.append((headers, payload))
        del buf[:size]
    return messages


@unittest.skipUnless(shutil.which('nghttp'), 'nghttp (nghttp2-client) not installed')
class CborSubscribeHttp2(unittest.TestCase):
    """h2c with prior knowledge; a short subscription lifetime ends the body."""

    def test_event_stream_over_h2c(self):
        server = RiffleServer(in_memory=True, args=['--subscription-ms', '1500']).start()
        self.addCleanup(server.close)
        helper = CborSubscribe()
        helper.port = server.port
        name, consumer = helper.setup_consumer('cborsubh2')
        put = helper.ok('PutRecord', {'StreamName': name, 'PartitionKey': 'k', 'Data': b'\x00h2\xff'})
        body = cbor2.dumps({'ConsumerARN': consumer, 'ShardId': SHARD0, 'StartingPosition': {'Type': 'TRIM_HORIZON'}})
        with tempfile.NamedTemporaryFile(suffix='.cbor') as f:
            f.write(body)
            f.flush()
            headers = sign('127.0.0.1', server.port, TARGET + 'SubscribeToShard', body, CBOR_11)
            args = ['nghttp', '-d', f.name]
            for key in ('content-type', 'x-amz-target', 'x-amz-date', 'authorization'):
                args += ['-H', '%s: %s' % (key, headers[key])]
            done = subprocess.run(args + [server.endpoint + '/'], capture_output=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        messages = parse_all(done.stdout)
        self.assertEqual(messages[0][0][':event-type'], 'initial-response')
        self.assertEqual(loads(messages[0][1]), {})
        records = []
        for headers, payload in messages[1:]:
            self.assertEqual(headers, {':event-type': 'SubscribeToShardEvent', ':content-type': CBOR_11,
                                       ':message-type': 'event'})
            records += loads(payload)['Records']
        self.assertEqual([(r['Data'], r['SequenceNumber']) for r in records], [(b'\x00h2\xff',
                                                                               put['SequenceNumber'])])
        self.assertIsInstance(millis(records[0]['ApproximateArrivalTimestamp']), int)


if __name__ == '__main__':
    unittest.main()
