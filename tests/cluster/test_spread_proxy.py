"""The endpoint the client suites use against a cluster (tests/support/spread_proxy.py) spreads
requests over the Riffle nodes: HTTP/1.1 per request even on one kept-alive connection, HTTP/2 per
connection; and answers pass through whole.

Run: RIFFLE_BIN=build/riffle python3 tests/cluster/test_spread_proxy.py -v
"""

import http.client
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

from riffle_cluster import RiffleCluster  # noqa: E402
from riffle_server import unique_name  # noqa: E402
from spread_proxy import H2_PREFACE, SpreadProxy  # noqa: E402

SETTINGS_FRAME_TYPE = 4


class SpreadProxyTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.cluster = RiffleCluster(nodes=3).start()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()

    def setUp(self):
        self.proxy = SpreadProxy(self.cluster.endpoints).start()
        self.addCleanup(self.proxy.stop)

    def client(self):
        return boto3.client('kinesis', endpoint_url=self.proxy.endpoint, region_name='us-east-1',
                            aws_access_key_id='test', aws_secret_access_key='test',
                            config=Config(retries={'total_max_attempts': 1}, max_pool_connections=1))

    def test_http1_requests_of_one_connection_go_to_every_node(self):
        kin = self.client()
        name = unique_name('spread')
        kin.create_stream(StreamName=name, ShardCount=1)
        kin.get_waiter('stream_exists').wait(StreamName=name, WaiterConfig={'Delay': 0.2})
        before = list(self.proxy.counts)
        sequences = [kin.put_record(StreamName=name, PartitionKey='k', Data=b'%d' % i)['SequenceNumber']
                     for i in range(30)]
        sent = [after - b for after, b in zip(self.proxy.counts, before)]
        self.assertEqual(sent, [10, 10, 10])
        # One order, whichever node took each put.
        self.assertEqual(sequences, sorted(sequences, key=int))
        shard = kin.list_shards(StreamName=name)['Shards'][0]['ShardId']
        it = kin.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType='TRIM_HORIZON')
        records = kin.get_records(ShardIterator=it['ShardIterator'])['Records']
        self.assertEqual([r['Data'] for r in records], [b'%d' % i for i in range(30)])

    def test_error_answers_and_connection_close_pass_through(self):
        conn = http.client.HTTPConnection('127.0.0.1', int(self.proxy.endpoint.rsplit(':', 1)[1]), timeout=30)
        self.addCleanup(conn.close)
        headers = {'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Kinesis_20131202.DescribeStream',
                   'X-Amz-Date': '20260101T000000Z',
                   'Authorization': 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, '
                                    'SignedHeaders=host, Signature=00'}
        before = list(self.proxy.counts)
        for _ in range(3):  # the same connection, three nodes
            conn.request('POST', '/', body=b'{"StreamName": "missing"}', headers=headers)
            response = conn.getresponse()
            self.assertEqual(response.status, 400)
            self.assertIn(b'ResourceNotFoundException', response.read())
        self.assertEqual([after - b for after, b in zip(self.proxy.counts, before)], [1, 1, 1])
        conn.request('POST', '/', body=b'{"StreamName": "missing"}', headers=dict(headers, Connection='close'))
        response = conn.getresponse()
        self.assertEqual(response.status, 400)
        response.read()
        self.assertTrue(response.will_close)

    def test_http2_is_spread_per_connection(self):
        before = list(self.proxy.counts)
        for _ in range(3):
            with socket.create_connection(('127.0.0.1', int(self.proxy.endpoint.rsplit(':', 1)[1])), 30) as s:
                s.sendall(H2_PREFACE + b'\x00\x00\x00\x04\x00\x00\x00\x00\x00')  # an empty SETTINGS frame
                frame = b''
                while len(frame) < 9:
                    chunk = s.recv(9 - len(frame))
                    self.assertTrue(chunk, 'the connection closed before the node answered')
                    frame += chunk
                self.assertEqual(frame[3], SETTINGS_FRAME_TYPE)  # the node's own SETTINGS came through
        self.assertEqual([after - b for after, b in zip(self.proxy.counts, before)], [1, 1, 1])


if __name__ == '__main__':
    unittest.main()
