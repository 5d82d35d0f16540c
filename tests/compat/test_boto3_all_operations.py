"""boto3 (pip python3): every operation of botocore's Kinesis model, called
against the real binary, each result checked; the test fails if the model
has an operation it did not call.

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_boto3_all_operations.py -v
"""

import datetime
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, unique_name  # noqa: E402
from kinesis_helpers import HASH_MAX, client, wait_active  # noqa: E402

# Operations this test does not call.
NOT_CALLED = set()


class AllOperations(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer(in_memory=True).start()
        cls.kin = client(cls.server.endpoint, validate=True)
        cls.called = set()

        def record(http_response, model, **_):
            if http_response.status_code == 200:
                cls.called.add(model.name)
        cls.kin.meta.events.register('after-call.kinesis', record)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_every_operation(self):
        kin = self.kin
        name = unique_name('all')
        account = '000000000000'

        # Account settings and limits before anything exists.
        settings = kin.describe_account_settings()['MinimumThroughputBillingCommitment']
        self.assertEqual(settings, {'Status': 'DISABLED'})
        limits = kin.describe_limits()
        self.assertEqual(limits['OnDemandStreamCountLimit'], 50)
        base_on_demand = limits['OnDemandStreamCount']
        base_open = limits['OpenShardCount']

        # A provisioned stream with tags.
        kin.create_stream(StreamName=name, ShardCount=2, Tags={'team': 'data'})
        d = wait_active(kin, name)
        arn = d['StreamARN']
        self.assertEqual(arn, 'arn:aws:kinesis:us-east-1:%s:stream/%s' % (account, name))
        self.assertEqual(d['StreamModeDetails'], {'StreamMode': 'PROVISIONED'})
        self.assertEqual(len(d['Shards']), 2)
        self.assertIn(name, kin.list_streams()['StreamNames'])
        summaries = {s['StreamName']: s for s in kin.list_streams()['StreamSummaries']}
        self.assertEqual(summaries[name]['StreamModeDetails'], {'StreamMode': 'PROVISIONED'})
        self.assertEqual(kin.describe_limits()['OpenShardCount'], base_open + 2)

        # Tags, both APIs.
        kin.add_tags_to_stream(StreamName=name, Tags={'env': 'test'})
        kin.tag_resource(ResourceARN=arn, Tags={'owner': 'me'})
        kin.untag_resource(ResourceARN=arn, TagKeys=['owner'])
        kin.remove_tags_from_stream(StreamName=name, TagKeys=['env'])
        tags = kin.list_tags_for_stream(StreamName=name)
        self.assertEqual(tags['Tags'], [{'Key': 'team', 'Value': 'data'}])
        self.assertFalse(tags['HasMoreTags'])
        self.assertEqual(kin.list_tags_for_resource(ResourceARN=arn)['Tags'], [{'Key': 'team', 'Value': 'data'}])

        # Records.
        put = kin.put_record(StreamName=name, Data=b'one', PartitionKey='a')
        self.assertRegex(put['SequenceNumber'], r'^\d{56}$')
        batch = kin.put_records(StreamName=name, Records=[{'Data': b'two', 'PartitionKey': 'a'},
                                                          {'Data': b'three', 'PartitionKey': 'a'}])
        self.assertEqual(batch['FailedRecordCount'], 0)
        self.assertEqual({r['ShardId'] for r in batch['Records']}, {put['ShardId']})
        it = kin.get_shard_iterator(StreamName=name, ShardId=put['ShardId'],
                                    ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        got = kin.get_records(ShardIterator=it)
        self.assertEqual([r['Data'] for r in got['Records']], [b'one', b'two', b'three'])
        self.assertEqual(got['Records'][0]['SequenceNumber'], put['SequenceNumber'])

        # Settings of the stream.
        kin.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
        kin.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=36)
        enabled = kin.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=['IncomingBytes'])
        self.assertEqual(enabled['DesiredShardLevelMetrics'], ['IncomingBytes'])
        disabled = kin.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=['ALL'])
        self.assertEqual(disabled['CurrentShardLevelMetrics'], ['IncomingBytes'])
        self.assertEqual(disabled.get('DesiredShardLevelMetrics', []), [])
        kin.start_stream_encryption(StreamName=name, EncryptionType='KMS', KeyId='alias/aws/kinesis')
        wait_active(kin, name)
        kin.stop_stream_encryption(StreamName=name, EncryptionType='KMS', KeyId='alias/aws/kinesis')
        wait_active(kin, name)
        kin.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=2048)
        wait_active(kin, name)
        summary = kin.describe_stream_summary(StreamName=name)['StreamDescriptionSummary']
        self.assertEqual(summary['RetentionPeriodHours'], 36)
        self.assertEqual(summary['EncryptionType'], 'NONE')
        self.assertEqual(summary['MaxRecordSizeInKiB'], 2048)
        self.assertEqual(summary['OpenShardCount'], 2)
        self.assertNotIn('WarmThroughput', summary)

        # Resource policies.
        policy = json.dumps({'Version': '2012-10-17', 'Statement': [{
            'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::%s:root' % account},
            'Action': 'kinesis:GetRecords', 'Resource': arn}]})
        kin.put_resource_policy(ResourceARN=arn, Policy=policy)
        self.assertEqual(json.loads(kin.get_resource_policy(ResourceARN=arn)['Policy']), json.loads(policy))
        kin.delete_resource_policy(ResourceARN=arn)
        self.assertEqual(kin.get_resource_policy(ResourceARN=arn)['Policy'], '{}')

        # Consumers.
        consumer = kin.register_stream_consumer(StreamARN=arn, ConsumerName='app')['Consumer']
        self.assertEqual(consumer['ConsumerName'], 'app')
        self.assertTrue(consumer['ConsumerARN'].startswith(arn + '/consumer/app:'))
        described = kin.describe_stream_consumer(ConsumerARN=consumer['ConsumerARN'])['ConsumerDescription']
        self.assertEqual(described['StreamARN'], arn)
        listed = kin.list_stream_consumers(StreamARN=arn)['Consumers']
        self.assertEqual([c['ConsumerName'] for c in listed], ['app'])
        # SubscribeToShard (an event stream; HTTP/1.1 chunked for botocore): the
        # three records from the trim horizon, in order.
        subscription = kin.subscribe_to_shard(ConsumerARN=consumer['ConsumerARN'], ShardId=put['ShardId'],
                                              StartingPosition={'Type': 'TRIM_HORIZON'})
        pushed = []
        for event in subscription['EventStream']:
            pushed.extend(event['SubscribeToShardEvent']['Records'])
            if len(pushed) >= 3:
                break
        subscription['EventStream'].close()
        self.assertEqual([r['Data'] for r in pushed], [b'one', b'two', b'three'])
        self.assertEqual(pushed[0]['SequenceNumber'], put['SequenceNumber'])
        kin.deregister_stream_consumer(ConsumerARN=consumer['ConsumerARN'])

        # Resharding.
        shards = kin.list_shards(StreamName=name)['Shards']
        self.assertEqual([s['ShardId'] for s in shards], ['shardId-000000000000', 'shardId-000000000001'])
        kin.split_shard(StreamName=name, ShardToSplit='shardId-000000000000',
                        NewStartingHashKey=str(HASH_MAX // 4))
        wait_active(kin, name)
        kin.merge_shards(StreamName=name, ShardToMerge='shardId-000000000002',
                         AdjacentShardToMerge='shardId-000000000003')
        wait_active(kin, name)
        scaled = kin.update_shard_count(StreamName=name, TargetShardCount=4, ScalingType='UNIFORM_SCALING')
        self.assertEqual((scaled['CurrentShardCount'], scaled['TargetShardCount']), (2, 4))
        wait_active(kin, name)
        open_shards = [s for s in kin.list_shards(StreamName=name)['Shards']
                       if 'EndingSequenceNumber' not in s['SequenceNumberRange']]
        self.assertEqual(len(open_shards), 4)

        # Capacity mode, account commitment and warm throughput.
        kin.update_stream_mode(StreamARN=arn, StreamModeDetails={'StreamMode': 'ON_DEMAND'})
        d = wait_active(kin, name)
        self.assertEqual(d['StreamModeDetails'], {'StreamMode': 'ON_DEMAND'})
        self.assertEqual(kin.describe_limits()['OnDemandStreamCount'], base_on_demand + 1)
        before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)
        commitment = kin.update_account_settings(
            MinimumThroughputBillingCommitment={'Status': 'ENABLED'})['MinimumThroughputBillingCommitment']
        self.assertEqual(commitment['Status'], 'ENABLED')
        self.assertGreaterEqual(commitment['StartedAt'], before)
        self.assertEqual(commitment['EarliestAllowedEndAt'] - commitment['StartedAt'], datetime.timedelta(hours=24))
        self.assertEqual(kin.describe_account_settings()['MinimumThroughputBillingCommitment'], commitment)
        warm = kin.update_stream_warm_throughput(StreamARN=arn, WarmThroughputMiBps=100)
        self.assertEqual(warm['StreamName'], name)
        self.assertEqual(warm['StreamARN'], arn)
        self.assertEqual(warm['WarmThroughput'], {'TargetMiBps': 100, 'CurrentMiBps': 100})
        summary = kin.describe_stream_summary(StreamARN=arn)['StreamDescriptionSummary']
        self.assertEqual(summary['WarmThroughput'], {'TargetMiBps': 100, 'CurrentMiBps': 100})
        self.assertEqual(summary['StreamModeDetails'], {'StreamMode': 'ON_DEMAND'})
        ending = kin.update_account_settings(
            MinimumThroughputBillingCommitment={'Status': 'DISABLED'})['MinimumThroughputBillingCommitment']
        self.assertEqual(ending['Status'], 'ENABLED_UNTIL_EARLIEST_ALLOWED_END')
        self.assertEqual(ending['EndedAt'], commitment['EarliestAllowedEndAt'])

        # Deletion.
        kin.delete_stream(StreamName=name)
        self.assertNotIn(name, kin.list_streams()['StreamNames'])
        self.assertEqual(kin.describe_limits()['OnDemandStreamCount'], base_on_demand)

        model_ops = set(kin.meta.service_model.operation_names)
        self.assertEqual(model_ops - NOT_CALLED - self.called, set(), 'operations not called')
        self.assertEqual(len(model_ops), 39)


if __name__ == '__main__':
    unittest.main()
