"""One consistent service across the nodes of a Riffle cluster.

Three Riffle nodes A, B, C over a 3-server NATS cluster (RiffleCluster). Each test sends its calls
to different nodes and checks that they behave as one Kinesis service:
- a stream created through A is ACTIVE, listed and writable through B and C at once;
- concurrent puts through A and B into one shard get strictly increasing sequence numbers, and
  every node reads the shard in the same order;
- SplitShard, MergeShards and UpdateShardCount sent to different nodes while puts race them: every
  acknowledged record is in exactly one shard (a parent below its EndingSequenceNumber, or a
  child), ChildShards at a parent's end name exactly its children;
- races between nodes resolve as AWS resolves them on one service: CreateStream of one name and
  RegisterStreamConsumer of one name (one success, the other ResourceInUseException),
  AddTagsToStream (both succeed, no tag lost), UpdateStreamMode (one success, the other
  ResourceInUseException while the stream is UPDATING);
- SubscribeToShard on B is pushed records put through A, and a second subscription of the same
  consumer and shard on C is refused within 5 s and takes over after, ending the first.

Run: RIFFLE_BIN=build/riffle python3 tests/cluster/test_cluster_consistency.py -v
"""

import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from botocore.exceptions import ClientError, EventStreamError  # noqa: E402

from kinesis_helpers import at_once, error_code, wait_active  # noqa: E402
from riffle_cluster import RiffleCluster  # noqa: E402
from riffle_server import unique_name, wait_until  # noqa: E402
from tracked_producer import Ledger, ProducerThread, check, make_client, stop_all  # noqa: E402

ARGS = ['--create-stream-ms', '100', '--update-stream-ms', '100', '--delete-stream-ms', '100']


def read_shard(kin, stream, shard_id):
    """(records as (sequence number, data), ChildShards of the end or None) from TRIM_HORIZON."""
    it = kin.get_shard_iterator(StreamName=stream, ShardId=shard_id,
                                ShardIteratorType='TRIM_HORIZON')['ShardIterator']
    got, empty = [], 0
    while it and empty < 3:
        resp = kin.get_records(ShardIterator=it, Limit=10000)
        got += [(int(r['SequenceNumber']), r['Data'].decode().strip()) for r in resp['Records']]
        it = resp.get('NextShardIterator')
        empty = empty + 1 if not resp['Records'] and resp.get('MillisBehindLatest', 0) == 0 else 0
        if it is None:
            return got, resp.get('ChildShards', [])
    return got, None


class ClusterConsistency(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = RiffleCluster(nodes=3, args=ARGS).start()
        cls.kin = [make_client(e) for e in cls.cluster.endpoints]

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()

    def create(self, prefix, shards=1, node=0):
        name = unique_name(prefix)
        self.kin[node].create_stream(StreamName=name, ShardCount=shards)
        return name, wait_active(self.kin[node], name, timeout=30)

    def test_create_on_a_then_use_on_b_and_c(self):
        a, b, c = self.kin
        name, desc = self.create('seen', shards=2)
        summary = b.describe_stream_summary(StreamName=name)['StreamDescriptionSummary']
        self.assertEqual('ACTIVE', summary['StreamStatus'])
        self.assertIn(name, c.list_streams(Limit=10000)['StreamNames'])
        self.assertEqual(desc['StreamARN'], c.describe_stream(StreamName=name)['StreamDescription']['StreamARN'])
        put = b.put_record(StreamName=name, PartitionKey='k', Data=b'via-b')
        records, _ = read_shard(c, name, put['ShardId'])
        self.assertEqual([(int(put['SequenceNumber']), 'via-b')], records)

    def test_concurrent_puts_into_one_shard(self):
        name, _ = self.create('order')
        acked = {0: [], 1: []}

        def produce(node):
            for k in range(60):
                if k % 3 == 0:
                    resp = self.kin[node].put_records(StreamName=name, Records=[
                        {'PartitionKey': 'k', 'Data': ('n%d-%d-%d' % (node, k, j)).encode()} for j in range(5)])
                    self.assertEqual(0, resp['FailedRecordCount'])
                    acked[node] += [(int(r['SequenceNumber']), 'n%d-%d-%d' % (node, k, j))
                                    for j, r in enumerate(resp['Records'])]
                else:
                    resp = self.kin[node].put_record(StreamName=name, PartitionKey='k',
                                                     Data=('n%d-%d' % (node, k)).encode())
                    acked[node].append((int(resp['SequenceNumber']), 'n%d-%d' % (node, k)))
        threads = [threading.Thread(target=produce, args=(n,)) for n in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        for node, seqs in acked.items():
            self.assertEqual(20 * 5 + 40, len(seqs))
            self.assertEqual(sorted(seqs), seqs, 'node %d: acknowledged sequence numbers not increasing' % node)
        everything = sorted(acked[0] + acked[1])
        self.assertEqual(len(everything), len({s for s, _ in everything}), 'a sequence number given twice')
        for node, kin in enumerate(self.kin):
            records, _ = read_shard(kin, name, 'shardId-000000000000')
            self.assertEqual(everything, records, 'the shard as node %d reads it' % node)

    def test_reshards_from_different_nodes_while_putting(self):
        a, b, c = self.kin
        name, _ = self.create('reshard', shards=2)
        ledger = Ledger()
        producers = [ProducerThread(i, ledger, name, lambda: self.cluster.endpoints, batch=10) for i in range(2)]
        for p in producers:
            p.start()
        try:
            wait_until(lambda: len(ledger.acks.get(0, [])) > 20, timeout=30, what='puts')
            shards = a.list_shards(StreamName=name)['Shards']
            lo, hi = (int(x) for x in (shards[0]['HashKeyRange'][k] for k in ('StartingHashKey', 'EndingHashKey')))
            b.split_shard(StreamName=name, ShardToSplit='shardId-000000000000',
                          NewStartingHashKey=str((lo + hi) // 2 + 1))
            wait_active(c, name, timeout=30)
            c.merge_shards(StreamName=name, ShardToMerge='shardId-000000000003',
                           AdjacentShardToMerge='shardId-000000000001')
            wait_active(a, name, timeout=30)
            a.update_shard_count(StreamName=name, TargetShardCount=4, ScalingType='UNIFORM_SCALING')
            wait_active(b, name, timeout=30)
            count = len(ledger.acks.get(0, []))
            wait_until(lambda: len(ledger.acks.get(0, [])) > count + 20, timeout=30, what='puts after resharding')
        finally:
            trouble = stop_all(producers)
        self.assertEqual([], trouble)
        shards = c.list_shards(StreamName=name)['Shards']
        children = {}
        for s in shards:
            for parent in (s.get('ParentShardId'), s.get('AdjacentParentShardId')):
                if parent:
                    children.setdefault(parent, set()).add(s['ShardId'])
        contents = {}
        for i, s in enumerate(shards):
            records, child_shards = read_shard(self.kin[i % 3], name, s['ShardId'])
            contents[s['ShardId']] = records
            end = s['SequenceNumberRange'].get('EndingSequenceNumber')
            if end is None:
                self.assertIsNone(child_shards, '%s is open' % s['ShardId'])
                continue
            beyond = [(seq, rid) for seq, rid in records if seq > int(end)]
            self.assertEqual([], beyond, '%s: records beyond its EndingSequenceNumber %s (of %d records)'
                             % (s['ShardId'], end, len(records)))
            self.assertEqual(children[s['ShardId']], {cs['ShardId'] for cs in child_shards or []},
                             'ChildShards at the end of %s' % s['ShardId'])
            for cs in child_shards:
                self.assertEqual(sorted(cs['ParentShards']), sorted(
                    p for p in (shards_by_id(shards)[cs['ShardId']].get('ParentShardId'),
                                shards_by_id(shards)[cs['ShardId']].get('AdjacentParentShardId')) if p))
        self.assertEqual(4, sum(1 for s in shards if 'EndingSequenceNumber' not in s['SequenceNumberRange']))
        problems, stats = check(ledger, contents)
        print('\n  records through the reshards: %s' % stats, flush=True)
        self.assertEqual([], problems[:20])
        self.assertEqual(0, stats['unacked'] + stats['stored_unacked'] + stats['resend_copies_after_lost'] +
                         stats['stored_despite_refusal'] + stats['stored_after_unknown'], stats)

    def test_create_stream_race(self):
        for round_ in range(3):
            name = unique_name('race')
            results = at_once(*(lambda k=k: k.create_stream(StreamName=name, ShardCount=1) for k in self.kin[:2]))
            self.assertEqual(1, sum(1 for r in results if not isinstance(r, ClientError)), results)
            self.assertEqual(['ResourceInUseException'], [error_code(r) for r in results if isinstance(r, ClientError)])

    def test_register_consumer_race(self):
        _, desc = self.create('consumers')
        for round_ in range(3):
            results = at_once(*(lambda k=k: k.register_stream_consumer(StreamARN=desc['StreamARN'],
                                                                       ConsumerName='c%d' % round_)
                                for k in self.kin[1:]))
            self.assertEqual(1, sum(1 for r in results if not isinstance(r, ClientError)), results)
            self.assertEqual(['ResourceInUseException'], [error_code(r) for r in results if isinstance(r, ClientError)])

    def test_tags_race_loses_no_tag(self):
        name, _ = self.create('tags')
        results = at_once(*(lambda i=i: self.kin[i].add_tags_to_stream(StreamName=name, Tags={'k%d' % i: 'v'})
                            for i in range(3)))
        self.assertFalse([r for r in results if isinstance(r, ClientError)], results)
        tags = self.kin[0].list_tags_for_stream(StreamName=name)['Tags']
        self.assertEqual({'k0', 'k1', 'k2'}, {t['Key'] for t in tags})

    def test_stream_mode_race(self):
        _, desc = self.create('mode')
        results = at_once(*(lambda k=k: k.update_stream_mode(StreamARN=desc['StreamARN'],
                                                             StreamModeDetails={'StreamMode': 'ON_DEMAND'})
                            for k in self.kin[:2]))
        self.assertEqual(1, sum(1 for r in results if not isinstance(r, ClientError)), results)
        self.assertEqual(['ResourceInUseException'], [error_code(r) for r in results if isinstance(r, ClientError)])

    def register_consumer(self, name, desc):
        arn = self.kin[0].register_stream_consumer(StreamARN=desc['StreamARN'],
                                                   ConsumerName='sub')['Consumer']['ConsumerARN']
        wait_until(lambda: self.kin[1].describe_stream_consumer(ConsumerARN=arn)['ConsumerDescription']
                   ['ConsumerStatus'] == 'ACTIVE', timeout=30, what='consumer ACTIVE')
        return arn

    def test_subscribe_on_b_gets_puts_through_a(self):
        name, desc = self.create('push')
        arn = self.register_consumer(name, desc)
        events = self.kin[1].subscribe_to_shard(ConsumerARN=arn, ShardId='shardId-000000000000',
                                                StartingPosition={'Type': 'LATEST'})['EventStream']
        puts = [self.kin[0].put_record(StreamName=name, PartitionKey='k', Data=('r%d' % i).encode())
                for i in range(5)]
        got = []
        for event in events:
            got += [(r['SequenceNumber'], r['Data']) for r in event['SubscribeToShardEvent']['Records']]
            if len(got) >= 5:
                break
        events.close()
        self.assertEqual([(p['SequenceNumber'], ('r%d' % i).encode()) for i, p in enumerate(puts)], got)

    def test_subscription_takeover_across_nodes(self):
        name, desc = self.create('takeover')
        arn = self.register_consumer(name, desc)
        position = {'Type': 'LATEST'}
        first = self.kin[1].subscribe_to_shard(ConsumerARN=arn, ShardId='shardId-000000000000',
                                               StartingPosition=position)['EventStream']
        started = time.monotonic()
        with self.assertRaises(ClientError) as cm:
            self.kin[2].subscribe_to_shard(ConsumerARN=arn, ShardId='shardId-000000000000', StartingPosition=position)
        self.assertEqual('ResourceInUseException', error_code(cm.exception))
        self.assertLess(time.monotonic() - started, 5.0, 'the refusal must come within the 5 s (else retry later)')
        ended = []

        def drain():
            try:
                for _ in first:
                    pass
                ended.append('ended')
            except EventStreamError as e:
                ended.append(e.response['Error']['Code'])
        reader = threading.Thread(target=drain, daemon=True)
        reader.start()

        def take_over():
            try:
                return self.kin[2].subscribe_to_shard(ConsumerARN=arn, ShardId='shardId-000000000000',
                                                      StartingPosition=position)['EventStream']
            except ClientError as e:
                self.assertEqual('ResourceInUseException', error_code(e))
                return None
        second = wait_until(take_over, timeout=30, interval=0.5, what='the second subscription taking over')
        self.assertGreaterEqual(time.monotonic() - started, 5.0)
        reader.join(30)
        self.assertIn(ended[:1], (['ResourceInUseException'], ['ended']), 'the first subscription goes on')
        self.kin[0].put_record(StreamName=name, PartitionKey='k', Data=b'after')
        for event in second:
            records = event['SubscribeToShardEvent']['Records']
            if records:
                self.assertEqual(b'after', records[0]['Data'])
                break
        second.close()


def shards_by_id(shards):
    return {s['ShardId']: s for s in shards}


if __name__ == '__main__':
    unittest.main()
