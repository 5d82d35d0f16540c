"""boto3 (pip python3): ON_DEMAND streams and UpdateStreamMode,
UpdateMaxRecordSize (enforced by PutRecord/PutRecords),
UpdateStreamWarmThroughput and Describe/UpdateAccountSettings, with their
error cases; account settings and stream modes survive a restart.

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_boto3_stream_modes.py -v
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from botocore.exceptions import ClientError  # noqa: E402

from riffle_server import RiffleServer, require_own_server, skip_in_cluster, unique_name  # noqa: E402
from kinesis_helpers import client, create_active, error_code, read_shard, wait_active  # noqa: E402

MIB = 1024 * 1024


class Base(unittest.TestCase):
    def assertError(self, code, fn, *args, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(error_code(cm.exception), code, cm.exception.response)
        return cm.exception.response['Error'].get('Message', '')


class StreamModes(Base):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer(in_memory=True).start()
        cls.kin = client(cls.server.endpoint, validate=True)
        cls.raw = client(cls.server.endpoint, validate=False)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_create_on_demand(self):
        """ON_DEMAND (explicit, or by leaving out ShardCount) starts with 4 shards."""
        for kw in ({'StreamModeDetails': {'StreamMode': 'ON_DEMAND'}}, {}):
            name = unique_name('od')
            self.kin.create_stream(StreamName=name, **kw)
            d = wait_active(self.kin, name)
            self.assertEqual(d['StreamModeDetails'], {'StreamMode': 'ON_DEMAND'})
            self.assertEqual(len(d['Shards']), 4)
            s = self.kin.describe_stream_summary(StreamName=name)['StreamDescriptionSummary']
            self.assertEqual(s['StreamModeDetails'], {'StreamMode': 'ON_DEMAND'})
            self.assertEqual(s['MaxRecordSizeInKiB'], 1024)
            summaries = {x['StreamName']: x for x in self.kin.list_streams()['StreamSummaries']}
            self.assertEqual(summaries[name]['StreamModeDetails'], {'StreamMode': 'ON_DEMAND'})

    def test_create_with_conflicting_shard_count(self):
        name = unique_name('odc')
        self.assertError('ValidationException', self.kin.create_stream, StreamName=name, ShardCount=2,
                         StreamModeDetails={'StreamMode': 'ON_DEMAND'})
        self.assertError('ValidationException', self.kin.create_stream, StreamName=name,
                         StreamModeDetails={'StreamMode': 'PROVISIONED'})
        self.assertError('InvalidArgumentException', self.kin.create_stream, StreamName=name, ShardCount=1,
                         WarmThroughputMiBps=10)
        self.assertError('ResourceNotFoundException', self.kin.describe_stream, StreamName=name)

    def test_resharding_an_on_demand_stream(self):
        name = unique_name('odr')
        self.kin.create_stream(StreamName=name, StreamModeDetails={'StreamMode': 'ON_DEMAND'})
        wait_active(self.kin, name)
        self.assertError('ValidationException', self.kin.update_shard_count, StreamName=name,
                         TargetShardCount=8, ScalingType='UNIFORM_SCALING')
        self.assertError('ValidationException', self.kin.split_shard, StreamName=name,
                         ShardToSplit='shardId-000000000000', NewStartingHashKey='1000')
        self.assertError('ValidationException', self.kin.merge_shards, StreamName=name,
                         ShardToMerge='shardId-000000000000', AdjacentShardToMerge='shardId-000000000001')
        self.assertEqual(len(self.kin.list_shards(StreamName=name)['Shards']), 4)

    def test_mode_switch_limit(self):
        """Two capacity mode switches per stream in 24 hours; the third is refused."""
        name = unique_name('sw')
        arn = create_active(self.kin, name, shards=2)['StreamARN']
        self.assertError('InvalidArgumentException', self.kin.update_stream_mode, StreamARN=arn,
                         StreamModeDetails={'StreamMode': 'PROVISIONED'})
        self.kin.update_stream_mode(StreamARN=arn, StreamModeDetails={'StreamMode': 'ON_DEMAND'})
        self.assertEqual(wait_active(self.kin, name)['StreamModeDetails'], {'StreamMode': 'ON_DEMAND'})
        self.kin.update_stream_mode(StreamARN=arn, StreamModeDetails={'StreamMode': 'PROVISIONED'})
        self.assertEqual(wait_active(self.kin, name)['StreamModeDetails'], {'StreamMode': 'PROVISIONED'})
        self.assertError('LimitExceededException', self.kin.update_stream_mode, StreamARN=arn,
                         StreamModeDetails={'StreamMode': 'ON_DEMAND'})
        self.assertEqual(wait_active(self.kin, name)['StreamModeDetails'], {'StreamMode': 'PROVISIONED'})
        missing = arn[:-len(name)] + unique_name('none')
        self.assertError('ResourceNotFoundException', self.kin.update_stream_mode, StreamARN=missing,
                         StreamModeDetails={'StreamMode': 'ON_DEMAND'})

    def test_max_record_size_range(self):
        arn = create_active(self.kin, unique_name('mrs'))['StreamARN']
        for bad in (1023, 10241, 0):
            self.assertError('ValidationException', self.raw.update_max_record_size, StreamARN=arn,
                             MaxRecordSizeInKiB=bad)
        self.assertEqual(self.kin.describe_stream_summary(StreamARN=arn)['StreamDescriptionSummary']
                         ['MaxRecordSizeInKiB'], 1024)

    def test_max_record_size_is_enforced(self):
        name = unique_name('big')
        arn = create_active(self.kin, name)['StreamARN']
        message = self.assertError('InvalidArgumentException', self.kin.put_record, StreamName=name,
                                   Data=b'x' * MIB, PartitionKey='k')
        self.assertEqual(message, 'Record size exceeds the maximum record size of 1024 KiB for stream %s '
                                  'under account 000000000000.' % name)
        self.assertError('InvalidArgumentException', self.kin.put_records, StreamName=name,
                         Records=[{'Data': b'x' * MIB, 'PartitionKey': 'k'}])
        self.kin.put_record(StreamName=name, Data=b'x' * (MIB - 1), PartitionKey='k')

        self.kin.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=2048)
        wait_active(self.kin, name)
        summary = self.kin.describe_stream_summary(StreamName=name)['StreamDescriptionSummary']
        self.assertEqual(summary['MaxRecordSizeInKiB'], 2048)
        big = os.urandom(MIB + MIB // 2)
        put = self.kin.put_record(StreamName=name, Data=big, PartitionKey='k')
        batch = self.kin.put_records(StreamName=name, Records=[{'Data': b'y' * (2 * MIB - 1), 'PartitionKey': 'k'}])
        self.assertEqual(batch['FailedRecordCount'], 0)
        message = self.assertError('InvalidArgumentException', self.kin.put_record, StreamName=name,
                                   Data=b'x' * (2 * MIB), PartitionKey='k')
        self.assertIn('maximum record size of 2048 KiB', message)
        records = read_shard(self.kin, name, put['ShardId'])
        self.assertEqual([len(r['Data']) for r in records], [MIB - 1, len(big), 2 * MIB - 1])
        self.assertEqual(records[1]['Data'], big)

    def test_warm_throughput_errors(self):
        provisioned = create_active(self.kin, unique_name('wp'))['StreamARN']
        self.assertError('InvalidArgumentException', self.kin.update_stream_warm_throughput,
                         StreamARN=provisioned, WarmThroughputMiBps=10)
        self.assertNotIn('WarmThroughput', self.kin.describe_stream_summary(StreamARN=provisioned)
                         ['StreamDescriptionSummary'])
        self.assertError('ValidationException', self.raw.update_stream_warm_throughput,
                         StreamARN=provisioned, WarmThroughputMiBps=-1)


class OwnServer(Base):
    """Tests that need a server of their own (counts, settings, restart)."""

    def setUp(self):
        require_own_server(self)

    def test_on_demand_stream_limit(self):
        skip_in_cluster(self, '200 on-demand shards are 200 replicated JetStream streams (about 2 minutes)')
        with RiffleServer(in_memory=True) as server:
            kin = client(server.endpoint, validate=True)
            for i in range(50):
                kin.create_stream(StreamName='od-%d' % i, StreamModeDetails={'StreamMode': 'ON_DEMAND'})
            limits = kin.describe_limits()
            self.assertEqual((limits['OnDemandStreamCount'], limits['OnDemandStreamCountLimit']), (50, 50))
            self.assertEqual(limits['OpenShardCount'], 200)
            self.assertError('LimitExceededException', kin.create_stream, StreamName='od-50',
                             StreamModeDetails={'StreamMode': 'ON_DEMAND'})
            arn = create_active(kin, 'prov')['StreamARN']
            self.assertError('LimitExceededException', kin.update_stream_mode, StreamARN=arn,
                             StreamModeDetails={'StreamMode': 'ON_DEMAND'})
            kin.delete_stream(StreamName='od-0')
            self.assertEqual(kin.describe_limits()['OnDemandStreamCount'], 49)
            kin.update_stream_mode(StreamARN=arn, StreamModeDetails={'StreamMode': 'ON_DEMAND'})
            self.assertEqual(kin.describe_limits()['OnDemandStreamCount'], 50)

    def test_not_active_and_updating(self):
        with RiffleServer(in_memory=True, args=['--update-stream-ms', '400']) as server:
            kin = client(server.endpoint, validate=True)
            arn = create_active(kin, 'upd', shards=1)['StreamARN']
            kin.update_stream_mode(StreamARN=arn, StreamModeDetails={'StreamMode': 'ON_DEMAND'})
            self.assertEqual(kin.describe_stream_summary(StreamARN=arn)['StreamDescriptionSummary']
                             ['StreamStatus'], 'UPDATING')
            self.assertError('ResourceInUseException', kin.update_stream_mode, StreamARN=arn,
                             StreamModeDetails={'StreamMode': 'PROVISIONED'})
            self.assertError('ResourceInUseException', kin.update_max_record_size, StreamARN=arn,
                             MaxRecordSizeInKiB=4096)
            wait_active(kin, 'upd')
            kin.update_account_settings(MinimumThroughputBillingCommitment={'Status': 'ENABLED'})
            warm = kin.update_stream_warm_throughput(StreamARN=arn, WarmThroughputMiBps=64)
            self.assertEqual(warm['WarmThroughput'], {'TargetMiBps': 64, 'CurrentMiBps': 0})
            wait_active(kin, 'upd')
            summary = kin.describe_stream_summary(StreamARN=arn)['StreamDescriptionSummary']
            self.assertEqual(summary['WarmThroughput'], {'TargetMiBps': 64, 'CurrentMiBps': 64})

    def test_settings_survive_restart(self):
        with RiffleServer() as server:
            kin = client(server.endpoint, validate=True)
            kin.create_stream(StreamName='keep', StreamModeDetails={'StreamMode': 'ON_DEMAND'})
            arn = wait_active(kin, 'keep')['StreamARN']
            self.assertError('InvalidArgumentException', kin.update_stream_warm_throughput,
                             StreamARN=arn, WarmThroughputMiBps=10)  # no commitment yet
            enabled = kin.update_account_settings(
                MinimumThroughputBillingCommitment={'Status': 'ENABLED'})['MinimumThroughputBillingCommitment']
            kin.update_stream_warm_throughput(StreamARN=arn, WarmThroughputMiBps=32)
            kin.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=3072)
            server.restart()
            kin = client(server.endpoint, validate=True)
            self.assertEqual(kin.describe_account_settings()['MinimumThroughputBillingCommitment'], enabled)
            summary = kin.describe_stream_summary(StreamARN=arn)['StreamDescriptionSummary']
            self.assertEqual(summary['StreamModeDetails'], {'StreamMode': 'ON_DEMAND'})
            self.assertEqual(summary['MaxRecordSizeInKiB'], 3072)
            self.assertEqual(summary['WarmThroughput'], {'TargetMiBps': 32, 'CurrentMiBps': 32})
            self.assertEqual(kin.describe_limits()['OnDemandStreamCount'], 1)


if __name__ == '__main__':
    unittest.main()
