"""DryRun on the data-plane operations (GetShardIterator, GetRecords, PutRecord,
PutRecords, SubscribeToShard): DryRunOperationException (HTTP 400) when the
call would have succeeded, the call's own error otherwise, and nothing done.
botocore 1.43's model lacks the member, so the requests are raw JSON 1.1.

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_dry_run.py -v
"""

import base64
import http.client
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, unique_name  # noqa: E402
from kinesis_helpers import client, create_active, read_shard  # noqa: E402

AUTH = ('AWS4-HMAC-SHA256 Credential=AKID/20150101/us-east-1/kinesis/aws4_request, '
        'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abcd')
SHARD = 'shardId-000000000000'


class DryRun(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer(in_memory=True).start()
        cls.kin = client(cls.server.endpoint)
        cls.stream = unique_name('dryrun')
        create_active(cls.kin, cls.stream)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def call(self, op, payload):
        conn = http.client.HTTPConnection('127.0.0.1', self.server.port, timeout=10)
        conn.request('POST', '/', body=json.dumps(payload).encode(), headers={
            'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Kinesis_20131202.' + op,
            'Authorization': AUTH, 'X-Amz-Date': '20150101T000000Z'})
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp.status, json.loads(body) if body else {}

    def assertDryRun(self, op, payload):
        status, body = self.call(op, dict(payload, DryRun=True))
        self.assertEqual((status, body.get('__type')), (400, 'DryRunOperationException'), body)

    def assertFails(self, op, payload, error_type):
        status, body = self.call(op, dict(payload, DryRun=True))
        self.assertEqual((status, body.get('__type')), (400, error_type), body)

    def records(self):
        return read_shard(self.kin, self.stream, SHARD)

    def test_put_record_and_put_records_store_nothing(self):
        data = base64.b64encode(b'x').decode()
        self.assertDryRun('PutRecord', {'StreamName': self.stream, 'PartitionKey': 'a', 'Data': data})
        self.assertDryRun('PutRecords', {'StreamName': self.stream,
                                         'Records': [{'PartitionKey': 'a', 'Data': data}] * 3})
        self.assertEqual(self.records(), [])
        # The real errors: no such stream, a bad SequenceNumberForOrdering, a bad hash key.
        self.assertFails('PutRecord', {'StreamName': 'missing', 'PartitionKey': 'a', 'Data': data},
                         'ResourceNotFoundException')
        self.assertFails('PutRecords', {'StreamName': 'missing', 'Records': [{'PartitionKey': 'a', 'Data': data}]},
                         'ResourceNotFoundException')
        self.assertFails('PutRecord', {'StreamName': self.stream, 'PartitionKey': 'a', 'Data': data,
                                       'SequenceNumberForOrdering': '1'}, 'InvalidArgumentException')
        self.assertFails('PutRecord', {'StreamName': self.stream, 'PartitionKey': 'a', 'Data': data,
                                       'ExplicitHashKey': str(2 ** 128)}, 'InvalidArgumentException')
        # DryRun false is an ordinary call.
        status, body = self.call('PutRecord', {'StreamName': self.stream, 'PartitionKey': 'a', 'Data': data,
                                               'DryRun': False})
        self.assertEqual((status, body['ShardId']), (200, SHARD))
        self.assertEqual(len(self.records()), 1)

    def test_get_shard_iterator_and_get_records(self):
        base = {'StreamName': self.stream, 'ShardId': SHARD, 'ShardIteratorType': 'TRIM_HORIZON'}
        self.assertDryRun('GetShardIterator', base)
        self.assertFails('GetShardIterator', dict(base, ShardId='shardId-000000000009'), 'ResourceNotFoundException')
        self.assertFails('GetShardIterator', dict(base, StreamName='missing'), 'ResourceNotFoundException')
        iterator = self.kin.get_shard_iterator(**base)['ShardIterator']
        self.assertDryRun('GetRecords', {'ShardIterator': iterator})
        self.assertFails('GetRecords', {'ShardIterator': 'AAAA' + iterator[4:]}, 'InvalidArgumentException')

    def test_subscribe_to_shard(self):
        arn = self.kin.describe_stream_summary(StreamName=self.stream)['StreamDescriptionSummary']['StreamARN']
        consumer = self.kin.register_stream_consumer(StreamARN=arn, ConsumerName='dry')['Consumer']['ConsumerARN']
        start = {'Type': 'TRIM_HORIZON'}
        self.assertDryRun('SubscribeToShard', {'ConsumerARN': consumer, 'ShardId': SHARD, 'StartingPosition': start})
        self.assertFails('SubscribeToShard', {'ConsumerARN': consumer, 'ShardId': 'shardId-000000000009',
                                              'StartingPosition': start}, 'ResourceNotFoundException')
        missing = consumer.replace('/consumer/dry:', '/consumer/nobody:')
        self.assertFails('SubscribeToShard', {'ConsumerARN': missing, 'ShardId': SHARD,
                                              'StartingPosition': start}, 'ResourceNotFoundException')


if __name__ == '__main__':
    unittest.main()
