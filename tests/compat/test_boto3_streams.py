"""boto3 (pip python3): stream control plane — create/describe/list/delete, tags, errors, waiters.

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_boto3_streams.py -v
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from botocore.exceptions import ClientError  # noqa: E402

from riffle_server import RiffleServer, require_own_server, unique_name  # noqa: E402
from kinesis_helpers import (HASH_MAX, client, create_active, describe, error_code,  # noqa: E402
                             error_message, wait_active, wait_gone)

ACCOUNT = '000000000000'
FAST_WAIT = {'Delay': 1, 'MaxAttempts': 30}


def not_found_text(name):
    # Exact AWS text, recorded in kinesalite test/listTagsForStream.js, putRecord.js, createStream.js.
    return 'Stream %s under account %s not found.' % (name, ACCOUNT)


class ServerCase(unittest.TestCase):
    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer(args=cls.server_args).start()
        cls.kin = client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def assertError(self, code, fn, *args, **kw):
        """Call fn, require a ClientError with this code and HTTP 400, return its message."""
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(error_code(cm.exception), code, cm.exception.response)
        self.assertEqual(cm.exception.response['ResponseMetadata']['HTTPStatusCode'], 400)
        return error_message(cm.exception)


class StreamBasics(ServerCase):

    def test_create_describe_active_stream(self):
        """A new stream becomes ACTIVE with the ARN, shard ids and 56-digit starting sequence numbers AWS uses."""
        name = unique_name('basic')
        self.kin.create_stream(StreamName=name, ShardCount=2)
        d = wait_active(self.kin, name)
        self.assertEqual(d['StreamName'], name)
        self.assertEqual(d['StreamARN'], 'arn:aws:kinesis:us-east-1:%s:stream/%s' % (ACCOUNT, name))
        self.assertFalse(d['HasMoreShards'])
        self.assertEqual([s['ShardId'] for s in d['Shards']], ['shardId-000000000000', 'shardId-000000000001'])
        for s in d['Shards']:
            self.assertRegex(s['SequenceNumberRange']['StartingSequenceNumber'], r'^\d{56}$')
            self.assertNotIn('EndingSequenceNumber', s['SequenceNumberRange'])
            self.assertNotIn('ParentShardId', s)
        self.assertGreaterEqual(d['RetentionPeriodHours'], 24)
        self.assertIn('StreamCreationTimestamp', d)

    def test_three_shards_split_hash_space_evenly(self):
        """CreateStream gives shard i the range [floor(i*2^128/N), floor((i+1)*2^128/N)-1], as AWS does (kinesalite test/createStream.js)."""
        name = unique_name('even')
        shards = create_active(self.kin, name, 3)['Shards']
        n = 3
        for i, s in enumerate(shards):
            self.assertEqual(int(s['HashKeyRange']['StartingHashKey']), i * 2 ** 128 // n)
            self.assertEqual(int(s['HashKeyRange']['EndingHashKey']), (i + 1) * 2 ** 128 // n - 1)
        self.assertEqual(shards[0]['HashKeyRange']['StartingHashKey'], '0')
        self.assertEqual(shards[1]['HashKeyRange']['StartingHashKey'], '113427455640312821154458202477256070485')
        self.assertEqual(shards[2]['HashKeyRange']['EndingHashKey'], str(HASH_MAX))

    def test_create_existing_stream_in_use(self):
        """Creating a stream twice is ResourceInUseException with AWS's exact 'already exists.' text."""
        name = unique_name('dup')
        create_active(self.kin, name)
        msg = self.assertError('ResourceInUseException', self.kin.create_stream, StreamName=name, ShardCount=1)
        self.assertEqual(msg, 'Stream %s under account %s already exists.' % (name, ACCOUNT))

    def test_missing_stream_not_found_everywhere(self):
        """Every stream-scoped operation on an unknown stream is ResourceNotFoundException naming stream and account."""
        name = unique_name('ghost')
        calls = [
            lambda: self.kin.describe_stream(StreamName=name),
            lambda: self.kin.delete_stream(StreamName=name),
            lambda: self.kin.put_record(StreamName=name, PartitionKey='a', Data=b'x'),
            lambda: self.kin.put_records(StreamName=name, Records=[{'PartitionKey': 'a', 'Data': b'x'}]),
            lambda: self.kin.add_tags_to_stream(StreamName=name, Tags={'a': 'b'}),
            lambda: self.kin.list_tags_for_stream(StreamName=name),
            lambda: self.kin.remove_tags_from_stream(StreamName=name, TagKeys=['a']),
        ]
        for call in calls:
            self.assertEqual(self.assertError('ResourceNotFoundException', call), not_found_text(name))
        # Shard-scoped operations also fail with ResourceNotFoundException; their text names the stream and account.
        for call in [
            lambda: self.kin.get_shard_iterator(StreamName=name, ShardId='shardId-000000000000',
                                                ShardIteratorType='LATEST'),
            lambda: self.kin.split_shard(StreamName=name, ShardToSplit='shardId-000000000000',
                                         NewStartingHashKey='100'),
            lambda: self.kin.merge_shards(StreamName=name, ShardToMerge='shardId-000000000000',
                                          AdjacentShardToMerge='shardId-000000000001'),
        ]:
            msg = self.assertError('ResourceNotFoundException', call)
            self.assertIn(name, msg)
            self.assertIn(ACCOUNT, msg)

    def test_unknown_shard_not_found(self):
        """GetShardIterator for a shard the stream lacks is ResourceNotFoundException with AWS's 'does not exist' text."""
        name = unique_name('noshard')
        create_active(self.kin, name)
        msg = self.assertError('ResourceNotFoundException', self.kin.get_shard_iterator, StreamName=name,
                               ShardId='shardId-000000000007', ShardIteratorType='LATEST')
        self.assertEqual(msg, 'Shard shardId-000000000007 in stream %s under account %s does not exist'
                         % (name, ACCOUNT))

    def test_delete_stream_then_gone(self):
        """DeleteStream removes the stream from DescribeStream and ListStreams, and the name can be reused."""
        name = unique_name('del')
        create_active(self.kin, name)
        self.kin.delete_stream(StreamName=name)
        wait_gone(self.kin, name)
        self.assertNotIn(name, self.kin.list_streams(Limit=10000)['StreamNames'])
        create_active(self.kin, name)  # name is free again

    def test_waiters_stream_exists_and_not_exists(self):
        """boto3's stream_exists / stream_not_exists waiters terminate against the server."""
        name = unique_name('wait')
        self.kin.create_stream(StreamName=name, ShardCount=1)
        self.kin.get_waiter('stream_exists').wait(StreamName=name, WaiterConfig=FAST_WAIT)
        self.assertEqual(describe(self.kin, name)['StreamStatus'], 'ACTIVE')
        self.kin.delete_stream(StreamName=name)
        self.kin.get_waiter('stream_not_exists').wait(StreamName=name, WaiterConfig=FAST_WAIT)


class Validation(ServerCase):

    def test_bad_stream_name_pattern(self):
        """A name outside [a-zA-Z0-9_.-]+ is ValidationException in AWS's '1 validation error detected' form."""
        msg = self.assertError('ValidationException', self.kin.create_stream, StreamName='a;b', ShardCount=1)
        self.assertEqual(msg, "1 validation error detected: Value 'a;b' at 'streamName' failed to satisfy "
                              "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")

    def test_too_long_stream_name(self):
        """A 129-character name breaks the 128 length limit (exact text from kinesalite test/createStream.js)."""
        name = 'a' * 129
        msg = self.assertError('ValidationException', self.kin.create_stream, StreamName=name, ShardCount=1)
        self.assertEqual(msg, "1 validation error detected: Value '%s' at 'streamName' failed to satisfy "
                              "constraint: Member must have length less than or equal to 128" % name)

    def test_zero_shard_count(self):
        """ShardCount 0 is below the model minimum of 1 and is rejected as ValidationException."""
        msg = self.assertError('ValidationException', self.kin.create_stream,
                               StreamName=unique_name('zero'), ShardCount=0)
        self.assertIn("Value '0' at 'shardCount' failed to satisfy constraint: "
                      "Member must have value greater than or equal to 1", msg)

    def test_several_errors_counted(self):
        """Several broken members are reported together, with the count, as AWS does."""
        msg = self.assertError('ValidationException', self.kin.list_streams, Limit=0, ExclusiveStartStreamName='')
        self.assertTrue(msg.startswith('3 validation errors detected: '), msg)
        self.assertIn("Value '0' at 'limit' failed to satisfy constraint: "
                      "Member must have value greater than or equal to 1", msg)
        self.assertIn("at 'exclusiveStartStreamName' failed to satisfy constraint", msg)

    def test_missing_required_member(self):
        """A missing required member (PutRecord without Data) is ValidationException 'Member must not be null'."""
        name = unique_name('nodata')
        create_active(self.kin, name)
        msg = self.assertError('ValidationException', self.kin.put_record, StreamName=name, PartitionKey='a')
        self.assertIn("Value null at 'data' failed to satisfy constraint: Member must not be null", msg)

    def test_bad_shard_iterator_type(self):
        """An unknown ShardIteratorType fails the enum constraint with ValidationException."""
        name = unique_name('enum')
        create_active(self.kin, name)
        msg = self.assertError('ValidationException', self.kin.get_shard_iterator, StreamName=name,
                               ShardId='shardId-000000000000', ShardIteratorType='SOMEWHERE')
        self.assertIn("at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set", msg)


class Pagination(ServerCase):

    def test_describe_stream_pages_with_limit(self):
        """DescribeStream honours Limit / ExclusiveStartShardId and reports HasMoreShards until the last page."""
        name = unique_name('pages')
        create_active(self.kin, name, 5)
        seen, start = [], None
        pages = 0
        while True:
            kw = {'ExclusiveStartShardId': start} if start else {}
            d = self.kin.describe_stream(StreamName=name, Limit=2, **kw)['StreamDescription']
            self.assertLessEqual(len(d['Shards']), 2)
            seen += [s['ShardId'] for s in d['Shards']]
            pages += 1
            if not d['HasMoreShards']:
                break
            start = d['Shards'][-1]['ShardId']
            self.assertLess(pages, 10)
        self.assertEqual(seen, ['shardId-%012d' % i for i in range(5)])
        self.assertEqual(pages, 3)

    def test_describe_stream_paginator(self):
        """boto3's describe_stream paginator (driven by HasMoreShards) collects every shard once."""
        name = unique_name('pgdesc')
        create_active(self.kin, name, 4)
        pages = self.kin.get_paginator('describe_stream').paginate(
            StreamName=name, PaginationConfig={'PageSize': 1})
        ids = [s['ShardId'] for p in pages for s in p['StreamDescription']['Shards']]
        self.assertEqual(ids, ['shardId-%012d' % i for i in range(4)])

    def test_list_streams_sorted_and_paged(self):
        """ListStreams returns names sorted, pages by Limit / ExclusiveStartStreamName, and sets HasMoreStreams."""
        prefix = unique_name('ls')
        mine = [prefix + suffix for suffix in ('-c', '-a', '-b')]
        for n in mine:
            self.kin.create_stream(StreamName=n, ShardCount=1)
        for n in mine:
            wait_active(self.kin, n)
        everything = self.kin.list_streams()
        names = everything['StreamNames']
        self.assertEqual(names, sorted(names))
        self.assertFalse(everything['HasMoreStreams'])
        for n in mine:
            self.assertIn(n, names)
        first = self.kin.list_streams(Limit=1)
        self.assertEqual(len(first['StreamNames']), 1)
        self.assertTrue(first['HasMoreStreams'])
        after = self.kin.list_streams(ExclusiveStartStreamName=prefix + '-a', Limit=2)
        self.assertEqual(after['StreamNames'], [prefix + '-b', prefix + '-c'])
        walked, start = [], None
        while True:
            kw = {'ExclusiveStartStreamName': start} if start else {}
            page = self.kin.list_streams(Limit=2, **kw)
            walked += page['StreamNames']
            if not page['HasMoreStreams']:
                break
            start = page['StreamNames'][-1]
        self.assertEqual(walked, names)

    def test_list_streams_paginator(self):
        """boto3's list_streams paginator yields every stream once; botocore 1.43 pages by NextToken, which AWS returns when HasMoreStreams."""
        prefix = unique_name('lp')
        for i in range(3):
            create_active(self.kin, '%s-%d' % (prefix, i))
        first = self.kin.list_streams(Limit=1)
        self.assertTrue(first['HasMoreStreams'])
        self.assertIn('NextToken', first, 'botocore >= 1.2x paginates ListStreams with NextToken')
        pages = self.kin.get_paginator('list_streams').paginate(PaginationConfig={'PageSize': 1})
        names = [n for p in pages for n in p['StreamNames']]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual([n for n in names if n.startswith(prefix)], ['%s-%d' % (prefix, i) for i in range(3)])


class Tags(ServerCase):

    def test_add_list_page_remove_tags(self):
        """Tags can be added, listed in pages (Limit / ExclusiveStartTagKey / HasMoreTags), overwritten and removed."""
        name = unique_name('tags')
        create_active(self.kin, name)
        tags = {'env': 'test', 'team': 'riffle', 'a': '1', 'b': '', 'zz': 'last'}
        self.kin.add_tags_to_stream(StreamName=name, Tags=tags)
        full = self.kin.list_tags_for_stream(StreamName=name)
        self.assertFalse(full['HasMoreTags'])
        self.assertEqual({t['Key']: t.get('Value', '') for t in full['Tags']}, tags)

        collected, start = [], None
        for _ in range(10):
            kw = {'ExclusiveStartTagKey': start} if start else {}
            page = self.kin.list_tags_for_stream(StreamName=name, Limit=2, **kw)
            self.assertLessEqual(len(page['Tags']), 2)
            collected += [t['Key'] for t in page['Tags']]
            if not page['HasMoreTags']:
                break
            start = page['Tags'][-1]['Key']
        self.assertEqual(sorted(collected), sorted(tags))
        self.assertEqual(len(collected), len(set(collected)))
        self.assertTrue(self.kin.list_tags_for_stream(StreamName=name, Limit=1)['HasMoreTags'])

        self.kin.add_tags_to_stream(StreamName=name, Tags={'env': 'prod'})
        self.kin.remove_tags_from_stream(StreamName=name, TagKeys=['team', 'a', 'not-there'])
        left = {t['Key']: t.get('Value', '') for t in self.kin.list_tags_for_stream(StreamName=name)['Tags']}
        self.assertEqual(left, {'env': 'prod', 'b': '', 'zz': 'last'})

    def test_tags_are_per_stream(self):
        """Tags on one stream do not show on another."""
        a, b = unique_name('ta'), unique_name('tb')
        create_active(self.kin, a)
        create_active(self.kin, b)
        self.kin.add_tags_to_stream(StreamName=a, Tags={'k': 'v'})
        self.assertEqual(self.kin.list_tags_for_stream(StreamName=b)['Tags'], [])


class Lifecycle(ServerCase):
    """Needs --create-stream-ms / --delete-stream-ms so that transitions are visible."""
    server_args = ('--create-stream-ms', '1500', '--delete-stream-ms', '1500', '--update-stream-ms', '1500')

    @classmethod
    def setUpClass(cls):
        require_own_server(cls)
        super().setUpClass()

    def test_creating_then_active(self):
        """A new stream is CREATING first: resharding is ResourceInUse, writes/iterators are ResourceNotFound (AWS behaviour)."""
        name = unique_name('life')
        self.kin.create_stream(StreamName=name, ShardCount=2)
        d = describe(self.kin, name)
        self.assertEqual(d['StreamStatus'], 'CREATING')
        in_state = 'Stream %s under account %s not ACTIVE, instead in state CREATING' % (name, ACCOUNT)
        self.assertEqual(self.assertError('ResourceInUseException', self.kin.split_shard, StreamName=name,
                                          ShardToSplit='shardId-000000000000', NewStartingHashKey='2'), in_state)
        self.assertEqual(self.assertError('ResourceInUseException', self.kin.merge_shards, StreamName=name,
                                          ShardToMerge='shardId-000000000000',
                                          AdjacentShardToMerge='shardId-000000000001'), in_state)
        self.assertEqual(self.assertError('ResourceNotFoundException', self.kin.put_record, StreamName=name,
                                          PartitionKey='a', Data=b''), not_found_text(name))
        self.assertEqual(self.assertError('ResourceNotFoundException', self.kin.put_records, StreamName=name,
                                          Records=[{'PartitionKey': 'a', 'Data': b''}]), not_found_text(name))
        self.assertError('ResourceNotFoundException', self.kin.get_shard_iterator, StreamName=name,
                         ShardId='shardId-000000000000', ShardIteratorType='LATEST')
        self.kin.get_waiter('stream_exists').wait(StreamName=name, WaiterConfig=FAST_WAIT)
        d = describe(self.kin, name)
        self.assertEqual(d['StreamStatus'], 'ACTIVE')
        self.assertEqual(len(d['Shards']), 2)

    def test_updating_during_split(self):
        """SplitShard puts the stream in UPDATING; a second reshard meanwhile is ResourceInUseException."""
        name = unique_name('upd')
        self.kin.create_stream(StreamName=name, ShardCount=1)
        self.kin.get_waiter('stream_exists').wait(StreamName=name, WaiterConfig=FAST_WAIT)
        self.kin.split_shard(StreamName=name, ShardToSplit='shardId-000000000000', NewStartingHashKey=str(2 ** 127))
        self.assertEqual(describe(self.kin, name)['StreamStatus'], 'UPDATING')
        msg = self.assertError('ResourceInUseException', self.kin.split_shard, StreamName=name,
                               ShardToSplit='shardId-000000000000', NewStartingHashKey=str(2 ** 126))
        self.assertIn('instead in state UPDATING', msg)
        d = wait_active(self.kin, name)
        self.assertEqual(len(d['Shards']), 3)

    def test_deleting_then_gone(self):
        """DeleteStream shows DELETING for a while, then the stream is not found (stream_not_exists completes)."""
        name = unique_name('dying')
        self.kin.create_stream(StreamName=name, ShardCount=1)
        self.kin.get_waiter('stream_exists').wait(StreamName=name, WaiterConfig=FAST_WAIT)
        self.kin.delete_stream(StreamName=name)
        self.assertEqual(describe(self.kin, name)['StreamStatus'], 'DELETING')
        self.kin.get_waiter('stream_not_exists').wait(StreamName=name, WaiterConfig=FAST_WAIT)
        self.assertEqual(self.assertError('ResourceNotFoundException', self.kin.describe_stream, StreamName=name),
                         not_found_text(name))


class ShardLimit(ServerCase):
    """Needs --shard-limit: open shards per account+region are capped."""
    server_args = ('--shard-limit', '5')

    @classmethod
    def setUpClass(cls):
        require_own_server(cls)
        super().setUpClass()

    def setUp(self):
        for s in self.kin.list_streams()['StreamNames']:
            self.kin.delete_stream(StreamName=s)
            wait_gone(self.kin, s)

    def test_create_over_limit(self):
        """CreateStream that would exceed the open-shard limit is LimitExceededException; the stream is not created."""
        create_active(self.kin, unique_name('lim'), 3)
        name = unique_name('over')
        msg = self.assertError('LimitExceededException', self.kin.create_stream, StreamName=name, ShardCount=3)
        self.assertIn('This request would exceed the shard limit for the account %s in us-east-1.' % ACCOUNT, msg)
        self.assertIn('Current shard count for the account: 3. Limit: 5.', msg)
        self.assertIn('Number of additional shards that would have resulted from this request: 3.', msg)
        self.assertNotIn(name, self.kin.list_streams()['StreamNames'])

    def test_split_over_limit(self):
        """SplitShard that would open one shard too many is LimitExceededException."""
        name = unique_name('splitlim')
        create_active(self.kin, name, 5)
        self.assertError('LimitExceededException', self.kin.split_shard, StreamName=name,
                         ShardToSplit='shardId-000000000000', NewStartingHashKey='1000')
        # Deleting frees the shards again.
        self.kin.delete_stream(StreamName=name)
        wait_gone(self.kin, name)
        create_active(self.kin, unique_name('again'), 5)


if __name__ == '__main__':
    unittest.main()
