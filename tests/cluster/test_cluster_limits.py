"""Kinesis's limits hold for a Riffle cluster as a whole, not per node.

Three Riffle nodes A, B, C over a 3-server NATS cluster, run with `--enforce-limits` and
`--shard-limit 6`. Calls rotate over the nodes, as through a load balancer:
- a shard's write rate (1000 records/s): PutRecords of 500 records sent to A, B, C, A, B, C as
  fast as they go are throttled after the first second's worth; with limits counted per node each
  node would have admitted all 1000 it saw;
- a shard's GetRecords rate (5 calls/s) and an account's ListStreams rate (5 calls/s): calls spread
  over the three nodes are refused once the cluster's five are spent;
- the shard limit: CreateStream of 4 shards sent to A and B at the same moment (6 allowed) has one
  success and one LimitExceededException; so has SplitShard of two different streams at the
  moment they would together pass it.

The counts allow for the refill while the calls run (they assert no timing); each would fail if
the nodes did not share what they admit.

Run: RIFFLE_BIN=build/riffle python3 tests/cluster/test_cluster_limits.py -v
"""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from kinesis_helpers import at_once, error_code  # noqa: E402
from riffle_cluster import RiffleCluster  # noqa: E402
from riffle_server import unique_name, wait_until  # noqa: E402

ARGS = ['--enforce-limits', '--shard-limit', '6',
        '--create-stream-ms', '100', '--update-stream-ms', '100', '--delete-stream-ms', '100']


def client(endpoint, attempts):
    return boto3.client('kinesis', endpoint_url=endpoint, region_name='us-east-1',
                        aws_access_key_id='AKIDTEST', aws_secret_access_key='secret',
                        config=Config(retries={'total_max_attempts': attempts, 'mode': 'standard'},
                                      connect_timeout=3, read_timeout=60))


class ClusterLimits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = RiffleCluster(nodes=3, args=ARGS).start()
        # Setup calls retry throttling as the SDKs do; the measured calls do not retry.
        cls.kin = [client(e, 10) for e in cls.cluster.endpoints]
        cls.once = [client(e, 1) for e in cls.cluster.endpoints]

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()

    def wait_status(self, name, status):
        def reached():
            try:
                s = self.kin[0].describe_stream_summary(StreamName=name)['StreamDescriptionSummary']
            except ClientError as e:
                if error_code(e) == 'LimitExceededException':
                    return None
                raise
            return s if s['StreamStatus'] == status else None
        return wait_until(reached, timeout=30, interval=0.25, what='%s %s' % (name, status))

    def wait_gone(self, name):
        def gone():
            try:
                self.kin[0].describe_stream_summary(StreamName=name)
            except ClientError as e:
                return error_code(e) == 'ResourceNotFoundException'
            return False
        wait_until(gone, timeout=30, interval=0.25, what='%s deleted' % name)

    def create(self, prefix, shards):
        name = unique_name(prefix)
        self.kin[0].create_stream(StreamName=name, ShardCount=shards)
        self.wait_status(name, 'ACTIVE')
        self.addCleanup(self.delete, name)
        return name

    def delete(self, name):
        try:
            self.kin[0].delete_stream(StreamName=name)
        except ClientError as e:
            if error_code(e) != 'ResourceNotFoundException':
                raise
        self.wait_gone(name)

    def test_a_shards_write_rate_is_shared(self):
        name = self.create('writes', 1)
        data = b'x' * 1000
        admitted, offered, refusals = 0, 0, set()
        for i in range(6):
            resp = self.once[i % 3].put_records(
                StreamName=name, Records=[{'PartitionKey': 'k', 'Data': data} for _ in range(500)])
            offered += 500
            admitted += 500 - resp['FailedRecordCount']
            refusals |= {r['ErrorCode'] for r in resp['Records'] if 'ErrorCode' in r}
            if i == 0:
                self.assertEqual(0, resp['FailedRecordCount'], 'the first 500 of the second fit')
        # Per node, A, B and C would each have admitted the 1000 records they saw.
        self.assertLessEqual(admitted, 2400, (admitted, offered))
        self.assertGreaterEqual(admitted, 1000, (admitted, offered))
        self.assertEqual({'ProvisionedThroughputExceededException'}, refusals)

    def test_a_shards_read_rate_is_shared(self):
        name = self.create('reads', 1)
        it = self.kin[1].get_shard_iterator(StreamName=name, ShardId='shardId-000000000000',
                                            ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        refused = 0
        for i in range(15):
            try:
                self.once[i % 3].get_records(ShardIterator=it)
            except ClientError as e:
                self.assertEqual('ProvisionedThroughputExceededException', error_code(e))
                refused += 1
        # Per node each would have admitted its five calls.
        self.assertGreaterEqual(refused, 4)

    def test_an_accounts_control_rate_is_shared(self):
        time.sleep(1.0)  # ListStreams's bucket (5 per second) is full again
        refused = 0
        for i in range(12):
            try:
                self.once[i % 3].list_streams()
            except ClientError as e:
                self.assertEqual('LimitExceededException', error_code(e))
                refused += 1
        self.assertGreaterEqual(refused, 2)

    def test_creates_at_once_through_two_nodes_stay_within_the_shard_limit(self):
        for round_ in range(3):
            names = [unique_name('limit%d' % round_) for _ in range(2)]
            results = at_once(*(lambda i=i: self.once[i].create_stream(StreamName=names[i], ShardCount=4)
                                for i in range(2)))
            created = [n for n, r in zip(names, results) if not isinstance(r, ClientError)]
            self.assertEqual(1, len(created), results)
            refused = [r for r in results if isinstance(r, ClientError)]
            self.assertEqual(['LimitExceededException'], [error_code(r) for r in refused])
            self.assertIn('shard limit', str(refused[0]))
            self.wait_status(created[0], 'ACTIVE')
            self.delete(created[0])

    def test_splits_at_once_through_two_nodes_stay_within_the_shard_limit(self):
        a = self.create('split-a', 2)
        b = self.create('split-b', 3)
        results = at_once(
            lambda: self.once[0].split_shard(StreamName=a, ShardToSplit='shardId-000000000000',
                                            NewStartingHashKey=str(2 ** 126)),
            lambda: self.once[1].split_shard(StreamName=b, ShardToSplit='shardId-000000000000',
                                            NewStartingHashKey=str(2 ** 125)))
        self.assertEqual(1, sum(1 for r in results if not isinstance(r, ClientError)), results)
        self.assertEqual(['LimitExceededException'], [error_code(r) for r in results if isinstance(r, ClientError)])
        for name in (a, b):
            self.wait_status(name, 'ACTIVE')


if __name__ == '__main__':
    unittest.main()
