"""The web console's rates are the cluster's, not one node's.

Three Riffle nodes A, B, C over a 3-server NATS cluster. boto3 puts 7 records through A and 5
through B and reads them through C; every node's /console/api/rates (signed as the page signs
it) shows all 12 records in and the 12 read out, each exactly once. Each node counts what it
served and tells the others once a second (docs/console.md); were the rates per node, no node
would show more than 7 in.

Run: RIFFLE_BIN=build/riffle python3 tests/cluster/test_cluster_console.py -v
"""

import http.client
import json
import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

import boto3  # noqa: E402
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

from riffle_cluster import RiffleCluster  # noqa: E402
from riffle_server import unique_name, wait_until  # noqa: E402


def client(endpoint):
    return boto3.client('kinesis', endpoint_url=endpoint, region_name='us-east-1',
                        aws_access_key_id='AKIDTEST', aws_secret_access_key='secret')


def rates(endpoint):
    """The streams of /console/api/rates: {name: [records in, bytes in, records out, bytes out]} summed."""
    request = AWSRequest(method='GET', url=endpoint + '/console/api/rates')
    SigV4Auth(Credentials('AKIDTEST', 'secret'), 'kinesis', 'us-east-1').add_auth(request)
    url = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request('GET', '/console/api/rates', headers=dict(request.headers.items()))
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200, body
    finally:
        conn.close()
    out = {}
    for stream in json.loads(body)['streams']:
        out[stream['name']] = [sum(p[i] for p in stream['points']) for i in range(2, 6)]
    return out


class ClusterConsole(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = RiffleCluster(nodes=3).start()
        cls.kin = [client(e) for e in cls.cluster.endpoints]

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()

    def test_every_node_shows_what_every_node_served(self):
        name = unique_name('console')
        a, b, c = self.kin
        a.create_stream(StreamName=name, ShardCount=1)
        a.get_waiter('stream_exists').wait(StreamName=name, WaiterConfig={'Delay': 0.2, 'MaxAttempts': 150})
        for i in range(7):
            a.put_record(StreamName=name, PartitionKey='k', Data=b'a' * 9)  # 10 bytes with its key
        b.put_records(StreamName=name, Records=[{'PartitionKey': 'k', 'Data': b'b' * 19}] * 5)  # 20 bytes each
        shard = c.list_shards(StreamName=name)['Shards'][0]['ShardId']
        iterator = c.get_shard_iterator(StreamName=name, ShardId=shard,
                                        ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        self.assertEqual(len(c.get_records(ShardIterator=iterator, Limit=100)['Records']), 12)
        expected = [12, 170, 12, 170]
        for node, endpoint in enumerate(self.cluster.endpoints):
            seen = []

            def all_counted():
                seen[:] = [rates(endpoint).get(name)]
                return seen[0] == expected
            wait_until(all_counted, timeout=30, interval=0.25,
                       what='node %d counting every node (last seen %s)' % (node, seen))
        # Nothing is counted twice as more reports come.
        for endpoint in self.cluster.endpoints:
            self.assertEqual(rates(endpoint)[name], expected)


if __name__ == '__main__':
    unittest.main()
