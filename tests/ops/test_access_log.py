"""The access log (--access-log): a line per API request, as JSON or text (pip python3 + boto3).

Run: RIFFLE_BIN=build/riffle python3 tests/ops/test_access_log.py -v
"""

import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, require_own_server, wait_until  # noqa: E402
from kinesis_helpers import create_active  # noqa: E402

SECRET = 'never-in-the-log-7f3a9c'


def kinesis(endpoint, key='AKIDLOGGED'):
    return boto3.client('kinesis', endpoint_url=endpoint, region_name='us-east-1',
                        aws_access_key_id=key, aws_secret_access_key=SECRET,
                        config=Config(retries={'max_attempts': 1}))


def cbor_text(text):
    """A CBOR text string (short ones only)."""
    data = text.encode()
    assert len(data) < 24
    return bytes([0x60 + len(data)]) + data


def cbor_call(endpoint, operation, stream):
    """An application/x-amz-cbor-1.1 call with body {"StreamName": stream}: (status, body)."""
    body = b'\xa1' + cbor_text('StreamName') + cbor_text(stream)
    request = urllib.request.Request(endpoint, data=body, method='POST', headers={
        'Content-Type': 'application/x-amz-cbor-1.1',
        'X-Amz-Target': 'Kinesis_20131202.' + operation,
        'X-Amz-Date': time.strftime('%Y%m%dT%H%M%SZ', time.gmtime()),
        'Authorization': 'AWS4-HMAC-SHA256 Credential=AKIDCBOR/20261205/us-east-1/kinesis/aws4_request, '
                         'SignedHeaders=host;x-amz-date, Signature=' + '0' * 64})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def read_lines(path, count):
    """The first `count` lines of the log, once it has them (a line is written as its response starts)."""
    def ready():
        with open(path) as f:
            lines = f.read().splitlines()
        return lines if len(lines) >= count else None
    return wait_until(ready, timeout=10, what='%d access log lines in %s' % (count, path))


class AccessLog(unittest.TestCase):
    def setUp(self):
        require_own_server(self)
        self.dir = tempfile.mkdtemp(prefix='riffle-access-')
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.path = os.path.join(self.dir, 'access.log')

    def test_json_lines(self):
        args = ['--access-log', self.path, '--log-format', 'json']
        with RiffleServer(in_memory=True, args=args) as server:
            kin = kinesis(server.endpoint)
            create_active(kin, 'logged', shards=1)
            with open(self.path) as f:
                before = len(f.read().splitlines())
            put = kin.put_record(StreamName='logged', PartitionKey='pk', Data=b'hello')
            with self.assertRaises(kin.exceptions.ResourceNotFoundException) as missing:
                kin.describe_stream_summary(StreamName='missing')
            arn = kin.describe_stream_summary(StreamName='logged')['StreamDescriptionSummary']['StreamARN']
            kin.list_stream_consumers(StreamARN=arn)
            status, _ = cbor_call(server.endpoint, 'DescribeStreamSummary', 'nothere')
            self.assertEqual(status, 400)
            lines = read_lines(self.path, before + 5)[before:]
        entries = [json.loads(line) for line in lines]
        for entry in entries:
            self.assertEqual(sorted(entry), ['access_key', 'bytes_in', 'bytes_out', 'error', 'latency_us',
                                             'operation', 'request_id', 'status', 'stream', 'time'])
            self.assertRegex(entry['time'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
            self.assertGreaterEqual(entry['latency_us'], 0)
            self.assertGreater(entry['bytes_in'], 0)
            self.assertGreater(entry['bytes_out'], 0)
        put_line, missing_line, summary_line, consumers_line, cbor_line = entries
        self.assertEqual(put_line['operation'], 'PutRecord')
        self.assertEqual(put_line['stream'], 'logged')
        self.assertEqual(put_line['status'], 200)
        self.assertEqual(put_line['error'], '')
        self.assertEqual(put_line['request_id'], put['ResponseMetadata']['RequestId'])
        self.assertEqual(put_line['access_key'], 'AKIDLOGGED')
        self.assertEqual(put_line['bytes_out'], int(put['ResponseMetadata']['HTTPHeaders']['content-length']))
        self.assertEqual(missing_line['operation'], 'DescribeStreamSummary')
        self.assertEqual(missing_line['stream'], 'missing')
        self.assertEqual(missing_line['status'], 400)
        self.assertEqual(missing_line['error'], 'ResourceNotFoundException')
        self.assertEqual(missing_line['request_id'], missing.exception.response['ResponseMetadata']['RequestId'])
        self.assertEqual(summary_line['stream'], 'logged')
        # A stream named by its ARN.
        self.assertEqual(consumers_line['operation'], 'ListStreamConsumers')
        self.assertEqual(consumers_line['stream'], 'logged')
        # CBOR: the stream and the error read from the CBOR bodies.
        self.assertEqual(cbor_line['stream'], 'nothere')
        self.assertEqual(cbor_line['error'], 'ResourceNotFoundException')
        self.assertEqual(cbor_line['access_key'], 'AKIDCBOR')
        with open(self.path) as f:
            self.assertNotIn(SECRET, f.read())

    def test_text_lines_and_reopen_on_sighup(self):
        with RiffleServer(in_memory=True, args=['--access-log', self.path]) as server:
            kin = kinesis(server.endpoint)
            kin.list_streams()
            line = read_lines(self.path, 1)[0]
            self.assertRegex(line, r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z id=\S+ op=ListStreams stream=- '
                                   r'status=200 error=- latency_us=\d+ in=\d+ out=\d+ key=AKIDLOGGED$')
            with self.assertRaises(kin.exceptions.ResourceNotFoundException):
                kin.describe_stream(StreamName='absent')
            self.assertRegex(read_lines(self.path, 2)[1],
                             r' op=DescribeStream stream=absent status=400 error=ResourceNotFoundException ')
            # Log rotation: the file is moved away, SIGHUP makes the server open the path again.
            rotated = self.path + '.1'
            os.rename(self.path, rotated)
            server.proc.send_signal(signal.SIGHUP)
            wait_until(lambda: os.path.exists(self.path), timeout=10, what='the access log reopened')
            kin.list_streams()
            self.assertRegex(read_lines(self.path, 1)[0], r' op=ListStreams ')
            with open(rotated) as f:
                self.assertEqual(len(f.read().splitlines()), 2)

    def test_an_unwritable_path_stops_start_up(self):
        server = RiffleServer(in_memory=True, args=['--access-log', os.path.join(self.dir, 'no', 'such', 'dir')])
        with self.assertRaises(RuntimeError) as failed:
            server.start()
        self.assertIn('cannot open the access log', str(failed.exception))

    def test_off_by_default(self):
        with RiffleServer(in_memory=True) as server:
            kinesis(server.endpoint).list_streams()
            server.stop()
            self.assertNotIn('op=ListStreams', server.stderr_text())


if __name__ == '__main__':
    unittest.main()
