"""boto3 (pip python3): SplitShard / MergeShards lineage and reading closed shards.

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_boto3_resharding.py -v
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from botocore.exceptions import ClientError  # noqa: E402

from riffle_server import RiffleServer, unique_name  # noqa: E402
from kinesis_helpers import (HASH_MAX, client, create_active, error_code, error_message,  # noqa: E402
                             hash_key, shard_for, wait_active)

ACCOUNT = '000000000000'
MID = 2 ** 127


def sid(i):
    return 'shardId-%012d' % i


def by_id(shards):
    return {s['ShardId']: s for s in shards}


def hash_range(shard):
    return int(shard['HashKeyRange']['StartingHashKey']), int(shard['HashKeyRange']['EndingHashKey'])


class Resharding(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer().start()
        cls.kin = client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def assertError(self, code, fn, *args, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(error_code(cm.exception), code, cm.exception.response)
        return error_message(cm.exception)

    def split(self, name, shard, at):
        self.kin.split_shard(StreamName=name, ShardToSplit=shard, NewStartingHashKey=str(at))
        return wait_active(self.kin, name)['Shards']

    def test_split_lineage_and_ranges(self):
        """SplitShard closes the parent (EndingSequenceNumber set) and opens two children covering its range, with ParentShardId."""
        name = unique_name('split')
        create_active(self.kin, name)
        shards = by_id(self.split(name, sid(0), MID))
        self.assertEqual(sorted(shards), [sid(0), sid(1), sid(2)])
        parent, low, high = shards[sid(0)], shards[sid(1)], shards[sid(2)]
        self.assertIn('EndingSequenceNumber', parent['SequenceNumberRange'])
        self.assertEqual(hash_range(parent), (0, HASH_MAX))
        self.assertEqual(hash_range(low), (0, MID - 1))
        self.assertEqual(hash_range(high), (MID, HASH_MAX))
        for child in (low, high):
            self.assertEqual(child['ParentShardId'], sid(0))
            self.assertNotIn('AdjacentParentShardId', child)
            self.assertNotIn('EndingSequenceNumber', child['SequenceNumberRange'])
            self.assertGreater(int(child['SequenceNumberRange']['StartingSequenceNumber']),
                               int(parent['SequenceNumberRange']['StartingSequenceNumber']))

    def test_merge_lineage_and_ranges(self):
        """MergeShards closes both parents and opens one child with ParentShardId, AdjacentParentShardId and the union range."""
        name = unique_name('merge')
        create_active(self.kin, name, 2)
        self.kin.merge_shards(StreamName=name, ShardToMerge=sid(0), AdjacentShardToMerge=sid(1))
        shards = by_id(wait_active(self.kin, name)['Shards'])
        self.assertEqual(sorted(shards), [sid(0), sid(1), sid(2)])
        child = shards[sid(2)]
        self.assertEqual(child['ParentShardId'], sid(0))
        self.assertEqual(child['AdjacentParentShardId'], sid(1))
        self.assertEqual(hash_range(child), (0, HASH_MAX))
        for p in (sid(0), sid(1)):
            self.assertIn('EndingSequenceNumber', shards[p]['SequenceNumberRange'])

    def test_split_then_merge_children_back(self):
        """The two children of a split can be merged again; the new shard gets the next id and both children as parents."""
        name = unique_name('roundtrip')
        create_active(self.kin, name)
        self.split(name, sid(0), 12345)
        self.kin.merge_shards(StreamName=name, ShardToMerge=sid(1), AdjacentShardToMerge=sid(2))
        shards = by_id(wait_active(self.kin, name)['Shards'])
        self.assertEqual(shards[sid(3)]['ParentShardId'], sid(1))
        self.assertEqual(shards[sid(3)]['AdjacentParentShardId'], sid(2))
        self.assertEqual(hash_range(shards[sid(3)]), (0, HASH_MAX))
        open_ids = [s for s, v in shards.items() if 'EndingSequenceNumber' not in v['SequenceNumberRange']]
        self.assertEqual(open_ids, [sid(3)])

    def test_writes_after_split_go_to_children(self):
        """After a split, records route to the open child holding their hash key, never to the closed parent."""
        name = unique_name('route')
        create_active(self.kin, name)
        shards = self.split(name, sid(0), MID)
        for i in range(20):
            pk = 'after-%d' % i
            r = self.kin.put_record(StreamName=name, PartitionKey=pk, Data=b'a')
            self.assertEqual(r['ShardId'], shard_for(shards, hash_key(pk)))
            self.assertIn(r['ShardId'], (sid(1), sid(2)))

    def test_read_closed_parent_to_end(self):
        """Reading a closed parent returns its records, then no NextShardIterator and ChildShards naming both children."""
        name = unique_name('closed')
        create_active(self.kin, name)
        before = [self.kin.put_record(StreamName=name, PartitionKey='k%d' % i, Data=b'%d' % i)['SequenceNumber']
                  for i in range(5)]
        shards = by_id(self.split(name, sid(0), MID))
        self.kin.put_record(StreamName=name, PartitionKey='later', Data=b'later')
        ending = int(shards[sid(0)]['SequenceNumberRange']['EndingSequenceNumber'])
        self.assertGreaterEqual(ending, int(before[-1]))

        it = self.kin.get_shard_iterator(StreamName=name, ShardId=sid(0),
                                         ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        got, last = [], None
        for _ in range(20):
            last = self.kin.get_records(ShardIterator=it)
            got += [r['SequenceNumber'] for r in last['Records']]
            it = last.get('NextShardIterator')
            if not it:
                break
        self.assertEqual(got, before)
        self.assertIsNone(it, 'a fully read closed shard has no NextShardIterator')
        children = sorted(last['ChildShards'], key=lambda c: c['ShardId'])
        self.assertEqual([c['ShardId'] for c in children], [sid(1), sid(2)])
        for c in children:
            self.assertEqual(c['ParentShards'], [sid(0)])
        self.assertEqual(hash_range(children[0]), (0, MID - 1))
        self.assertEqual(hash_range(children[1]), (MID, HASH_MAX))

    def test_merge_non_adjacent_rejected(self):
        """Merging shards whose ranges do not touch is InvalidArgumentException with AWS's exact text (kinesalite test/mergeShards.js)."""
        name = unique_name('nonadj')
        create_active(self.kin, name, 3)
        msg = self.assertError('InvalidArgumentException', self.kin.merge_shards, StreamName=name,
                               ShardToMerge=sid(0), AdjacentShardToMerge=sid(2))
        self.assertEqual(msg, 'Shards shardId-000000000000 and shardId-000000000002 in stream %s under account %s '
                              'are not an adjacent pair of shards eligible for merging' % (name, ACCOUNT))
        self.assertEqual(len(wait_active(self.kin, name)['Shards']), 3)

    def test_split_at_bad_hash_key_rejected(self):
        """NewStartingHashKey must be > StartingHashKey+1 and < EndingHashKey: else InvalidArgumentException (AWS text, kinesalite test/splitShard.js)."""
        name = unique_name('badsplit')
        shards = create_active(self.kin, name, 2)['Shards']
        end0 = int(shards[0]['HashKeyRange']['EndingHashKey'])
        for bad in (1, end0, end0 + 1):  # 1 == start+1 is still too small; end0 and beyond are too big
            msg = self.assertError('InvalidArgumentException', self.kin.split_shard, StreamName=name,
                                   ShardToSplit=sid(0), NewStartingHashKey=str(bad))
            self.assertEqual(msg, "NewStartingHashKey %d used in SplitShard() on shard %s in stream %s under account %s "
                                  "is not both greater than one plus the shard's StartingHashKey 0 and less than "
                                  "the shard's EndingHashKey %d." % (bad, sid(0), name, ACCOUNT, end0))
        self.assertEqual(len(wait_active(self.kin, name)['Shards']), 2)

    def test_reshard_unknown_shard_not_found(self):
        """Splitting or merging a shard the stream lacks is ResourceNotFoundException naming shard and stream."""
        name = unique_name('noshard')
        create_active(self.kin, name, 2)
        msg = self.assertError('ResourceNotFoundException', self.kin.split_shard, StreamName=name,
                               ShardToSplit=sid(9), NewStartingHashKey='5')
        self.assertEqual(msg, 'Could not find shard %s in stream %s under account %s.' % (sid(9), name, ACCOUNT))
        msg = self.assertError('ResourceNotFoundException', self.kin.merge_shards, StreamName=name,
                               ShardToMerge=sid(0), AdjacentShardToMerge=sid(9))
        self.assertIn(sid(9), msg)


if __name__ == '__main__':
    unittest.main()
