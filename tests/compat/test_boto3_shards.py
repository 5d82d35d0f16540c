"""boto3 (pip python3): ListShards, DescribeStreamSummary, UpdateShardCount,
Increase/DecreaseStreamRetentionPeriod, DescribeLimits,
Enable/DisableEnhancedMonitoring and Start/StopStreamEncryption.

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_boto3_shards.py -v
"""

import datetime
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from botocore.exceptions import ClientError  # noqa: E402

from riffle_server import RiffleServer, unique_name  # noqa: E402
from kinesis_helpers import (HASH_MAX, client, create_active, error_code, error_message,  # noqa: E402
                             hash_key, read_shard, shard_for, wait_active)

ACCOUNT = '000000000000'
ALL_METRICS = ['IncomingBytes', 'IncomingRecords', 'OutgoingBytes', 'OutgoingRecords',
               'WriteProvisionedThroughputExceeded', 'ReadProvisionedThroughputExceeded',
               'IteratorAgeMilliseconds']


def sid(i):
    return 'shardId-%012d' % i


def is_open(shard):
    return 'EndingSequenceNumber' not in shard['SequenceNumberRange']


def hash_range(shard):
    return int(shard['HashKeyRange']['StartingHashKey']), int(shard['HashKeyRange']['EndingHashKey'])


class Shards(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer(in_memory=True).start()
        cls.kin = client(cls.server.endpoint)
        cls.strict = client(cls.server.endpoint, validate=True)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def assertError(self, code, fn, *args, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(error_code(cm.exception), code, cm.exception.response)
        return error_message(cm.exception)

    def list_ids(self, **kw):
        return [s['ShardId'] for s in self.kin.list_shards(**kw)['Shards']]

    # -- ListShards ------------------------------------------------------
    def test_list_shards_matches_describe_stream(self):
        """ListShards returns the same shards as DescribeStream, by name or ARN."""
        name = unique_name('ls')
        described = create_active(self.kin, name, 3)
        listed = self.strict.list_shards(StreamName=name)
        self.assertEqual(listed['Shards'], described['Shards'])
        self.assertNotIn('NextToken', listed)
        by_arn = self.strict.list_shards(StreamARN=described['StreamARN'])
        self.assertEqual(by_arn['Shards'], described['Shards'])

    def test_list_shards_pagination(self):
        """MaxResults pages with a NextToken; the token alone continues; ExclusiveStartShardId skips."""
        name = unique_name('lspage')
        create_active(self.kin, name, 5)
        page = self.strict.list_shards(StreamName=name, MaxResults=2)
        self.assertEqual([s['ShardId'] for s in page['Shards']], [sid(0), sid(1)])
        seen = [s['ShardId'] for s in page['Shards']]
        while 'NextToken' in page:
            page = self.strict.list_shards(NextToken=page['NextToken'], MaxResults=2)
            seen += [s['ShardId'] for s in page['Shards']]
        self.assertEqual(seen, [sid(i) for i in range(5)])
        self.assertEqual(self.list_ids(StreamName=name, ExclusiveStartShardId=sid(2)), [sid(3), sid(4)])
        # botocore's list_shards paginator resends StreamName with NextToken; AWS refuses that, and so do we.
        with self.assertRaises(ClientError) as cm:
            list(self.strict.get_paginator('list_shards').paginate(StreamName=name, PaginationConfig={'PageSize': 2}))
        self.assertEqual(error_message(cm.exception), 'NextToken and StreamName cannot be provided together.')

    def test_list_shards_argument_errors(self):
        """NextToken excludes StreamName/ExclusiveStartShardId; a bad token or missing stream is reported."""
        name = unique_name('lserr')
        create_active(self.kin, name, 3)
        token = self.kin.list_shards(StreamName=name, MaxResults=1)['NextToken']
        msg = self.assertError('InvalidArgumentException', self.kin.list_shards, StreamName=name, NextToken=token)
        self.assertEqual(msg, 'NextToken and StreamName cannot be provided together.')
        msg = self.assertError('InvalidArgumentException', self.kin.list_shards, NextToken=token,
                               ExclusiveStartShardId=sid(0))
        self.assertEqual(msg, 'NextToken and ExclusiveStartShardId cannot be provided together.')
        msg = self.assertError('InvalidArgumentException', self.kin.list_shards, NextToken=token,
                               ShardFilter={'Type': 'AT_LATEST'})
        self.assertEqual(msg, 'NextToken and ShardFilter cannot be provided together.')
        msg = self.assertError('InvalidArgumentException', self.kin.list_shards)
        self.assertEqual(msg, 'Either NextToken or StreamName should be provided.')
        self.assertError('InvalidArgumentException', self.kin.list_shards, NextToken='bm90LWEtdG9rZW4')
        msg = self.assertError('ResourceNotFoundException', self.kin.list_shards, StreamName=name + '-x')
        self.assertEqual(msg, 'Stream %s-x under account %s not found.' % (name, ACCOUNT))
        self.assertError('ValidationException', self.kin.list_shards, StreamName=name, MaxResults=10001)

    def test_list_shards_filters(self):
        """ShardFilter: AT_LATEST lists open shards, AFTER_SHARD_ID skips, AT_TRIM_HORIZON the oldest, timestamps select by lifetime."""
        name = unique_name('lsfilter')
        created = create_active(self.kin, name, 2)['StreamCreationTimestamp']
        time.sleep(1.1)
        self.kin.split_shard(StreamName=name, ShardToSplit=sid(0), NewStartingHashKey=str(2 ** 125))
        wait_active(self.kin, name)
        time.sleep(1.1)
        after_split = datetime.datetime.now(datetime.timezone.utc)
        self.assertEqual(self.list_ids(StreamName=name), [sid(i) for i in range(4)])
        self.assertEqual(self.list_ids(StreamName=name, ShardFilter={'Type': 'AT_LATEST'}), [sid(1), sid(2), sid(3)])
        self.assertEqual(self.list_ids(StreamName=name, ShardFilter={'Type': 'FROM_TRIM_HORIZON'}),
                         [sid(i) for i in range(4)])
        self.assertEqual(self.list_ids(StreamName=name, ShardFilter={'Type': 'AT_TRIM_HORIZON'}), [sid(0), sid(1)])
        self.assertEqual(self.list_ids(StreamName=name, ShardFilter={'Type': 'AFTER_SHARD_ID', 'ShardId': sid(1)}),
                         [sid(2), sid(3)])
        self.assertEqual(self.list_ids(StreamName=name, ShardFilter={'Type': 'AT_TIMESTAMP', 'Timestamp': created}),
                         [sid(0), sid(1)])
        self.assertEqual(self.list_ids(StreamName=name,
                                       ShardFilter={'Type': 'AT_TIMESTAMP', 'Timestamp': after_split}),
                         [sid(1), sid(2), sid(3)])
        self.assertEqual(self.list_ids(StreamName=name,
                                       ShardFilter={'Type': 'FROM_TIMESTAMP', 'Timestamp': after_split}),
                         [sid(1), sid(2), sid(3)])
        self.assertEqual(self.list_ids(StreamName=name, ShardFilter={'Type': 'FROM_TIMESTAMP', 'Timestamp': created}),
                         [sid(i) for i in range(4)])
        self.assertError('InvalidArgumentException', self.kin.list_shards, StreamName=name,
                         ShardFilter={'Type': 'AFTER_SHARD_ID'})
        self.assertError('ValidationException', self.kin.list_shards, StreamName=name,
                         ShardFilter={'Type': 'SOMETIMES'})
        # A page of a filtered listing keeps the filter.
        page = self.kin.list_shards(StreamName=name, ShardFilter={'Type': 'AT_LATEST'}, MaxResults=1)
        rest = self.kin.list_shards(NextToken=page['NextToken'])
        self.assertEqual([s['ShardId'] for s in rest['Shards']], [sid(2), sid(3)])
        # StreamCreationTimestamp must be the stream's.
        self.assertEqual(len(self.list_ids(StreamName=name, StreamCreationTimestamp=created)), 4)
        self.assertError('ResourceNotFoundException', self.kin.list_shards, StreamName=name,
                         StreamCreationTimestamp=created - datetime.timedelta(days=1))

    # -- DescribeStreamSummary --------------------------------------------
    def test_describe_stream_summary(self):
        """The summary carries status, ARN, retention, open shard count, consumers, mode, encryption and metrics."""
        name = unique_name('sum')
        described = create_active(self.kin, name, 3)
        self.kin.merge_shards(StreamName=name, ShardToMerge=sid(0), AdjacentShardToMerge=sid(1))
        wait_active(self.kin, name)
        s = self.strict.describe_stream_summary(StreamName=name)['StreamDescriptionSummary']
        self.assertEqual(s['StreamName'], name)
        self.assertEqual(s['StreamARN'], 'arn:aws:kinesis:us-east-1:%s:stream/%s' % (ACCOUNT, name))
        self.assertEqual(s['StreamStatus'], 'ACTIVE')
        self.assertEqual(s['OpenShardCount'], 2)
        self.assertEqual(s['ConsumerCount'], 0)
        self.assertEqual(s['RetentionPeriodHours'], 24)
        self.assertEqual(s['StreamModeDetails'], {'StreamMode': 'PROVISIONED'})
        self.assertEqual(s['EncryptionType'], 'NONE')
        self.assertEqual(s['EnhancedMonitoring'], [{'ShardLevelMetrics': []}])
        self.assertEqual(s['StreamCreationTimestamp'], described['StreamCreationTimestamp'])
        msg = self.assertError('ResourceNotFoundException', self.kin.describe_stream_summary, StreamName=name + 'x')
        self.assertEqual(msg, 'Stream %sx under account %s not found.' % (name, ACCOUNT))

    # -- UpdateShardCount -------------------------------------------------
    def test_update_shard_count_uniform(self):
        """Scaling up and down leaves target open shards splitting the hash space evenly; records still route and old ones are readable."""
        name = unique_name('usc')
        create_active(self.kin, name, 2)
        before = [self.kin.put_record(StreamName=name, PartitionKey='k%d' % i, Data=b'%d' % i) for i in range(10)]
        out = self.strict.update_shard_count(StreamName=name, TargetShardCount=3, ScalingType='UNIFORM_SCALING')
        self.assertEqual(out['StreamName'], name)
        self.assertEqual(out['CurrentShardCount'], 2)
        self.assertEqual(out['TargetShardCount'], 3)
        for target in (3, 6, 4, 2):
            if target != 3:
                self.kin.update_shard_count(StreamName=name, TargetShardCount=target, ScalingType='UNIFORM_SCALING')
            shards = self.kin.list_shards(StreamName=name)['Shards']
            open_shards = sorted((s for s in shards if is_open(s)), key=lambda s: hash_range(s)[0])
            self.assertEqual(len(open_shards), target)
            self.assertEqual(hash_range(open_shards[0])[0], 0)
            self.assertEqual(hash_range(open_shards[-1])[1], HASH_MAX)
            width = (HASH_MAX + 1) // target
            for a, b in zip(open_shards, open_shards[1:]):
                self.assertEqual(hash_range(a)[1] + 1, hash_range(b)[0])
                self.assertLessEqual(abs((hash_range(a)[1] - hash_range(a)[0] + 1) - width), 1)
            # Every shard created by scaling names its parents.
            ids = {s['ShardId'] for s in shards}
            for s in shards:
                if s['ShardId'] not in (sid(0), sid(1)):
                    self.assertIn(s['ParentShardId'], ids)
            self.assertEqual(self.kin.describe_stream_summary(StreamName=name)
                             ['StreamDescriptionSummary']['OpenShardCount'], target)
            r = self.kin.put_record(StreamName=name, PartitionKey='after', Data=b'x')
            self.assertEqual(r['ShardId'], shard_for(shards, hash_key('after')))
        # Records written before scaling are still readable from the closed shards.
        got = read_shard(self.kin, name, before[0]['ShardId'])
        self.assertIn(before[0]['SequenceNumber'], [g['SequenceNumber'] for g in got])

    def test_update_shard_count_readers_follow_children(self):
        """Reading a parent to its end yields ChildShards; following them reaches every record of a key in order."""
        name = unique_name('uscread')
        create_active(self.kin, name, 1)
        seqs = [self.kin.put_record(StreamName=name, PartitionKey='same', Data=b'a')['SequenceNumber']]
        self.kin.update_shard_count(StreamName=name, TargetShardCount=2, ScalingType='UNIFORM_SCALING')
        seqs.append(self.kin.put_record(StreamName=name, PartitionKey='same', Data=b'b')['SequenceNumber'])
        self.kin.update_shard_count(StreamName=name, TargetShardCount=1, ScalingType='UNIFORM_SCALING')
        seqs.append(self.kin.put_record(StreamName=name, PartitionKey='same', Data=b'c')['SequenceNumber'])
        # Walk from shard 0 following the child that holds the key.
        key = hash_key('same')
        shard, seen = sid(0), []
        for _ in range(20):
            it = self.kin.get_shard_iterator(StreamName=name, ShardId=shard,
                                             ShardIteratorType='TRIM_HORIZON')['ShardIterator']
            children = None
            while it:
                resp = self.kin.get_records(ShardIterator=it)
                seen += [r['SequenceNumber'] for r in resp['Records']]
                if 'NextShardIterator' not in resp:
                    children = resp['ChildShards']
                    break
                if not resp['Records']:
                    break
                it = resp['NextShardIterator']
            if not children:
                break
            shard = next(c['ShardId'] for c in children
                         if int(c['HashKeyRange']['StartingHashKey']) <= key <= int(c['HashKeyRange']['EndingHashKey']))
        self.assertEqual(seen, seqs)

    def test_update_shard_count_limits(self):
        """At most double, at least half the open count; AWS's LimitExceededException texts."""
        name = unique_name('usclim')
        create_active(self.kin, name, 4)
        msg = self.assertError('LimitExceededException', self.kin.update_shard_count, StreamName=name,
                               TargetShardCount=9, ScalingType='UNIFORM_SCALING')
        self.assertEqual(msg, 'UpdateShardCount cannot scale up over double your current open shard count. '
                              'Current open shard count: 4, Target shard count: 9')
        msg = self.assertError('LimitExceededException', self.kin.update_shard_count, StreamName=name,
                               TargetShardCount=1, ScalingType='UNIFORM_SCALING')
        self.assertEqual(msg, 'UpdateShardCount cannot scale down below half your current open shard count. '
                              'Current open shard count: 4, Target shard count: 1')
        self.assertError('ValidationException', self.kin.update_shard_count, StreamName=name,
                         TargetShardCount=2, ScalingType='SOMETIMES')
        self.assertError('ResourceNotFoundException', self.kin.update_shard_count, StreamName=name + 'x',
                         TargetShardCount=2, ScalingType='UNIFORM_SCALING')

    # -- Retention ---------------------------------------------------------
    def test_retention_period(self):
        """Increase then decrease, with AWS's messages for out-of-range and wrong-direction requests."""
        name = unique_name('ret')
        create_active(self.kin, name, 1)
        self.strict.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=168)
        self.assertEqual(self.kin.describe_stream(StreamName=name)['StreamDescription']['RetentionPeriodHours'], 168)
        msg = self.assertError('InvalidArgumentException', self.kin.increase_stream_retention_period,
                               StreamName=name, RetentionPeriodHours=100)
        self.assertEqual(msg, 'Requested retention period (100 hours) for stream %s can not be shorter than '
                              'existing retention period (168 hours). Use DecreaseRetentionPeriod API.' % name)
        msg = self.assertError('InvalidArgumentException', self.kin.decrease_stream_retention_period,
                               StreamName=name, RetentionPeriodHours=200)
        self.assertEqual(msg, 'Requested retention period (200 hours) for stream %s can not be longer than '
                              'existing retention period (168 hours). Use IncreaseRetentionPeriod API.' % name)
        msg = self.assertError('InvalidArgumentException', self.kin.increase_stream_retention_period,
                               StreamName=name, RetentionPeriodHours=8761)
        self.assertEqual(msg, 'Maximum allowed retention period is 8760 hours. Requested retention period '
                              '(8761 hours) is too long.')
        msg = self.assertError('InvalidArgumentException', self.kin.decrease_stream_retention_period,
                               StreamName=name, RetentionPeriodHours=12)
        self.assertEqual(msg, 'Minimum allowed retention period is 24 hours. Requested retention period '
                              '(12 hours) is too short.')
        self.strict.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
        summary = self.kin.describe_stream_summary(StreamName=name)['StreamDescriptionSummary']
        self.assertEqual(summary['RetentionPeriodHours'], 48)
        self.assertError('ResourceNotFoundException', self.kin.increase_stream_retention_period,
                         StreamName=name + 'x', RetentionPeriodHours=48)

    # -- DescribeLimits ----------------------------------------------------
    def test_describe_limits_counts_open_shards(self):
        """OpenShardCount is the account's open shards in the region; creating a stream raises it."""
        before = self.strict.describe_limits()
        self.assertEqual(before['ShardLimit'], 500)
        self.assertEqual(before['OnDemandStreamCount'], 0)
        self.assertEqual(before['OnDemandStreamCountLimit'], 50)
        name = unique_name('lim')
        create_active(self.kin, name, 3)
        after = self.kin.describe_limits()
        self.assertEqual(after['OpenShardCount'], before['OpenShardCount'] + 3)

    # -- Enhanced monitoring ----------------------------------------------
    def test_enhanced_monitoring(self):
        """Enable/Disable return Current and Desired; ALL expands to seven; DescribeStream(Summary) reflect it."""
        name = unique_name('mon')
        create_active(self.kin, name, 1)
        out = self.strict.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=['OutgoingBytes',
                                                                                        'IncomingBytes'])
        self.assertEqual(out['StreamName'], name)
        self.assertEqual(out['CurrentShardLevelMetrics'], [])
        self.assertEqual(out['DesiredShardLevelMetrics'], ['IncomingBytes', 'OutgoingBytes'])
        out = self.strict.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=['ALL'])
        self.assertEqual(out['DesiredShardLevelMetrics'], ALL_METRICS)
        d = self.kin.describe_stream(StreamName=name)['StreamDescription']
        self.assertEqual(d['EnhancedMonitoring'], [{'ShardLevelMetrics': ALL_METRICS}])
        out = self.strict.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=['IncomingBytes',
                                                                                         'OutgoingRecords'])
        self.assertEqual(out['CurrentShardLevelMetrics'], ALL_METRICS)
        rest = [m for m in ALL_METRICS if m not in ('IncomingBytes', 'OutgoingRecords')]
        self.assertEqual(out['DesiredShardLevelMetrics'], rest)
        s = self.kin.describe_stream_summary(StreamName=name)['StreamDescriptionSummary']
        self.assertEqual(s['EnhancedMonitoring'], [{'ShardLevelMetrics': rest}])
        out = self.strict.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=['ALL'])
        self.assertEqual(out['DesiredShardLevelMetrics'], [])
        self.assertError('ValidationException', self.kin.enable_enhanced_monitoring, StreamName=name,
                         ShardLevelMetrics=['Bogus'])

    # -- Encryption ---------------------------------------------------------
    def test_stream_encryption(self):
        """StartStreamEncryption: KMS and KeyId in DescribeStream(Summary), EncryptionType in PutRecord(s) and GetRecords; Stop clears it."""
        name = unique_name('enc')
        create_active(self.kin, name, 1)
        put = self.kin.put_record(StreamName=name, PartitionKey='k', Data=b'plain')
        self.assertNotIn('EncryptionType', put)
        self.strict.start_stream_encryption(StreamName=name, EncryptionType='KMS', KeyId='alias/aws/kinesis')
        d = wait_active(self.kin, name)
        self.assertEqual((d['EncryptionType'], d['KeyId']), ('KMS', 'alias/aws/kinesis'))
        s = self.kin.describe_stream_summary(StreamName=name)['StreamDescriptionSummary']
        self.assertEqual((s['EncryptionType'], s['KeyId']), ('KMS', 'alias/aws/kinesis'))
        put = self.kin.put_record(StreamName=name, PartitionKey='k', Data=b'secret')
        self.assertEqual(put['EncryptionType'], 'KMS')
        puts = self.kin.put_records(StreamName=name, Records=[{'PartitionKey': 'k', 'Data': b'x'}])
        self.assertEqual(puts['EncryptionType'], 'KMS')
        records = read_shard(self.kin, name, sid(0))
        self.assertEqual([r['Data'] for r in records], [b'plain', b'secret', b'x'])
        self.assertTrue(all(r['EncryptionType'] == 'KMS' for r in records))
        self.assertError('InvalidArgumentException', self.kin.start_stream_encryption, StreamName=name,
                         EncryptionType='NONE', KeyId='alias/aws/kinesis')
        self.strict.stop_stream_encryption(StreamName=name, EncryptionType='KMS', KeyId='alias/aws/kinesis')
        d = wait_active(self.kin, name)
        self.assertEqual(d['EncryptionType'], 'NONE')
        self.assertNotIn('KeyId', d)
        self.assertNotIn('EncryptionType', self.kin.put_record(StreamName=name, PartitionKey='k', Data=b'y'))


class UpdatingStream(unittest.TestCase):
    """UpdateShardCount with --update-stream-ms: UPDATING for that long, then the new shards."""

    def test_updating_then_active(self):
        server = RiffleServer(in_memory=True, args=['--update-stream-ms', '700']).start()
        try:
            kin = client(server.endpoint)
            name = unique_name('updating')
            create_active(kin, name, 2)
            kin.update_shard_count(StreamName=name, TargetShardCount=4, ScalingType='UNIFORM_SCALING')
            summary = kin.describe_stream_summary(StreamName=name)['StreamDescriptionSummary']
            self.assertEqual(summary['StreamStatus'], 'UPDATING')
            with self.assertRaises(ClientError) as cm:
                kin.update_shard_count(StreamName=name, TargetShardCount=3, ScalingType='UNIFORM_SCALING')
            self.assertEqual(error_code(cm.exception), 'ResourceInUseException')
            self.assertEqual(error_message(cm.exception),
                             'Stream %s under account %s not ACTIVE, instead in state UPDATING' % (name, ACCOUNT))
            # Writes keep working while UPDATING.
            kin.put_record(StreamName=name, PartitionKey='k', Data=b'x')
            d = wait_active(kin, name)
            self.assertEqual(len([s for s in d['Shards'] if is_open(s)]), 4)
        finally:
            server.close()


if __name__ == '__main__':
    unittest.main()
