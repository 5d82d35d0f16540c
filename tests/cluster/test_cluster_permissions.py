"""A Riffle cluster whose NATS user has exactly the permissions docs/cluster.md lists.

Every nats-server runs with an authorization block: the Riffle nodes connect as a user that may
publish to `$JS.API.>`, `riffle.>`, `$KV.riffle-meta.>` and `$KV.riffle-lease.>` and subscribe to
`riffle.>` and `_INBOX.>`, and nothing else. Through three nodes the test creates a stream, puts
and reads records, pushes them over SubscribeToShard, splits and merges shards, tags, changes
retention and deletes. A publish or subscription the list does not allow is refused by the server
and logged as a "Violation" in its log: the test requires every operation to succeed and no
server log to hold one, background work (watches, acknowledgements, leases) included. The
password in the nodes' --nats URLs never appears in their logs.

Run: RIFFLE_BIN=build/riffle NATS_SERVER=/usr/sbin/nats-server python3 tests/cluster/test_cluster_permissions.py -v
"""

import os
import sys
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'support'))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

from riffle_cluster import RiffleCluster  # noqa: E402
from riffle_server import unique_name, wait_until  # noqa: E402

USER, PASSWORD = 'riffle-node', 'node-secret'
# docs/cluster.md, "NATS permissions", for the default prefix `riffle`.
PUBLISH = ['$JS.API.>', 'riffle.>', '$KV.riffle-meta.>', '$KV.riffle-lease.>']
SUBSCRIBE = ['riffle.>', '_INBOX.>']


def authorization(publish, subscribe):
    def quoted(subjects):
        return ', '.join('"%s"' % s for s in subjects)
    return ('authorization {\n  users = [\n    {user: "%s", password: "%s", permissions: {\n'
            '      publish: {allow: [%s]}\n      subscribe: {allow: [%s]}\n    }}\n  ]\n}\n'
            % (USER, PASSWORD, quoted(publish), quoted(subscribe)))


class ClusterPermissions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = RiffleCluster(nodes=3, nats_conf=authorization(PUBLISH, SUBSCRIBE),
                                    nats_user=(USER, PASSWORD)).start()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()

    def kin(self, i):
        return boto3.client('kinesis', endpoint_url=self.cluster.endpoint(i), region_name='us-east-1',
                            aws_access_key_id='AKIDTEST', aws_secret_access_key='secret',
                            config=Config(retries={'total_max_attempts': 3, 'mode': 'standard'},
                                          connect_timeout=3, read_timeout=30))

    def violations(self):
        found = []
        for n in self.cluster.nats.nodes:
            with open(os.path.join(n['dir'], 'server.log'), errors='replace') as f:
                found += [line.strip() for line in f if 'Violation' in line]
        return found

    def test_every_operation_within_the_documented_permissions(self):
        a, b, c = self.kin(0), self.kin(1), self.kin(2)
        stream = unique_name('perm')
        a.create_stream(StreamName=stream, ShardCount=2)
        wait_until(lambda: b.describe_stream_summary(StreamName=stream)['StreamDescriptionSummary']['StreamStatus']
                   == 'ACTIVE', timeout=30, what='stream ACTIVE')
        arn = c.describe_stream_summary(StreamName=stream)['StreamDescriptionSummary']['StreamARN']

        # A subscription through node B, pushed records put through node C.
        consumer = a.register_stream_consumer(StreamARN=arn, ConsumerName='perm-consumer')['Consumer']
        wait_until(lambda: b.describe_stream_consumer(ConsumerARN=consumer['ConsumerARN'])[
            'ConsumerDescription']['ConsumerStatus'] == 'ACTIVE', timeout=30, what='consumer ACTIVE')
        shards = b.list_shards(StreamName=stream)['Shards']
        pushed = []
        subscribed = threading.Event()

        def subscribe():
            out = b.subscribe_to_shard(ConsumerARN=consumer['ConsumerARN'], ShardId=shards[0]['ShardId'],
                                       StartingPosition={'Type': 'LATEST'})
            subscribed.set()
            for event in out['EventStream']:
                records = event.get('SubscribeToShardEvent', {}).get('Records', [])
                pushed.extend(r['Data'] for r in records)
                if pushed:
                    return

        reader = threading.Thread(target=subscribe, daemon=True)
        reader.start()
        self.assertTrue(subscribed.wait(30), 'SubscribeToShard answered')

        sent = set()
        for i, node in enumerate((a, b, c)):
            records = [{'Data': b'r-%d-%d' % (i, k), 'PartitionKey': 'k%d' % k} for k in range(50)]
            self.assertEqual(node.put_records(StreamName=stream, Records=records)['FailedRecordCount'], 0)
            sent.update(r['Data'] for r in records)
            node.put_record(StreamName=stream, Data=b'one-%d' % i, PartitionKey='p%d' % i)
            sent.add(b'one-%d' % i)
        hot = shards[0]['HashKeyRange']['StartingHashKey']

        def pushed_yet():
            # The subscription may start after the puts above: put into its shard until one arrives.
            if pushed:
                return True
            data = b'push-%d' % len(sent)
            c.put_record(StreamName=stream, Data=data, PartitionKey='x', ExplicitHashKey=hot)
            sent.add(data)
            return False

        wait_until(pushed_yet, timeout=30, interval=0.5, what='a record pushed over SubscribeToShard')
        reader.join(30)
        self.assertTrue(set(pushed) <= sent)

        # Reshard through node C while node A reads.
        parent = shards[0]
        middle = (int(parent['HashKeyRange']['StartingHashKey']) + int(parent['HashKeyRange']['EndingHashKey'])) // 2
        c.split_shard(StreamName=stream, ShardToSplit=parent['ShardId'], NewStartingHashKey=str(middle))
        wait_until(lambda: a.describe_stream_summary(StreamName=stream)['StreamDescriptionSummary']['StreamStatus']
                   == 'ACTIVE', timeout=30, what='split done')
        open_shards = [s for s in a.list_shards(StreamName=stream)['Shards']
                       if 'EndingSequenceNumber' not in s['SequenceNumberRange']]
        self.assertEqual(len(open_shards), 3)
        after = [{'Data': b'after-%d' % k, 'PartitionKey': 'k%d' % k} for k in range(50)]
        self.assertEqual(b.put_records(StreamName=stream, Records=after)['FailedRecordCount'], 0)
        sent.update(r['Data'] for r in after)

        got = []
        for shard in a.list_shards(StreamName=stream)['Shards']:
            it = a.get_shard_iterator(StreamName=stream, ShardId=shard['ShardId'],
                                      ShardIteratorType='TRIM_HORIZON')['ShardIterator']
            while it:
                out = a.get_records(ShardIterator=it)
                got += [r['Data'] for r in out['Records']]
                if not out['Records'] and out.get('MillisBehindLatest', 0) == 0:
                    break
                it = out.get('NextShardIterator')
        self.assertEqual(sorted(got), sorted(sent), 'every record read once')

        b.add_tags_to_stream(StreamName=stream, Tags={'team': 'streams'})
        self.assertEqual(c.list_tags_for_stream(StreamName=stream)['Tags'], [{'Key': 'team', 'Value': 'streams'}])
        c.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=48)
        wait_until(lambda: a.describe_stream_summary(StreamName=stream)['StreamDescriptionSummary'][
            'RetentionPeriodHours'] == 48, timeout=30, what='retention 48 h')
        a.deregister_stream_consumer(ConsumerARN=consumer['ConsumerARN'])
        b.delete_stream(StreamName=stream)
        wait_until(lambda: stream not in c.list_streams()['StreamNames'], timeout=30, what='stream deleted')

        self.assertEqual(self.violations(), [], 'a NATS permission the nodes needed is missing from the list')
        for node in self.cluster.servers:
            self.assertNotIn(PASSWORD, node.stderr_text(), 'the NATS password in a node\'s log')


if __name__ == '__main__':
    unittest.main()
