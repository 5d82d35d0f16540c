"""Permissions with `riffle serve --credentials FILE` (boto3): identity policies per key, resource policies
set with PutResourcePolicy, cross-account access, and SubscribeToShard refused without permission.

The keys and policies are tests/support/security_fixture.py's: 'admin' (no policy: everything in its own
account), 'reader' (Get*, Describe*, List*), 'denied' (everything, with an explicit Deny of DeleteStream and
SubscribeToShard), 'partner' (no policy, in another account).

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_security_policies.py -v
"""

import json
import os
import sys
import unittest

import boto3
import botocore
from botocore.config import Config

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import require_own_server, unique_name  # noqa: E402
import security_fixture as fx  # noqa: E402


class Policies(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        require_own_server(cls)
        cls.secured = fx.SecuredServer()
        cls.server = cls.secured.server
        cls.admin = cls.client('admin')

    @classmethod
    def tearDownClass(cls):
        cls.secured.close()

    @classmethod
    def client(cls, name):
        key, secret, _ = fx.KEYS[name]
        return boto3.client('kinesis', endpoint_url=cls.server.endpoint, region_name='us-east-1',
                            aws_access_key_id=key, aws_secret_access_key=secret,
                            config=Config(retries={'total_max_attempts': 1}))

    def new_stream(self):
        name = unique_name('pol')
        self.admin.create_stream(StreamName=name, ShardCount=1)
        arn = self.admin.describe_stream_summary(StreamName=name)['StreamDescriptionSummary']['StreamARN']
        return name, arn

    def denied(self, call, user, action, resource, reason):
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            call()
        error = caught.exception.response['Error']
        self.assertEqual(error['Code'], 'AccessDeniedException')
        self.assertEqual(caught.exception.response['ResponseMetadata']['HTTPStatusCode'], 400)
        account = fx.OTHER if user == 'partner' else fx.OWNER
        self.assertEqual(error['Message'], 'User: arn:aws:iam::%s:user/%s is not authorized to perform: kinesis:%s on '
                                           'resource: %s %s' % (account, user, action, resource, reason))

    @staticmethod
    def no_identity(action):
        return 'because no identity-based policy allows the kinesis:%s action' % action

    def test_read_only_key_reads_but_cannot_write(self):
        name, arn = self.new_stream()
        put = self.admin.put_record(StreamName=name, Data=b'one', PartitionKey='k')
        reader = self.client('reader')
        it = reader.get_shard_iterator(StreamName=name, ShardId=put['ShardId'],
                                       ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        self.assertEqual([r['Data'] for r in reader.get_records(ShardIterator=it)['Records']], [b'one'])
        self.assertIn(name, reader.list_streams()['StreamNames'])
        self.denied(lambda: reader.put_record(StreamName=name, Data=b'x', PartitionKey='k'),
                    'reader', 'PutRecord', arn, self.no_identity('PutRecord'))
        self.denied(lambda: reader.put_records(StreamName=name, Records=[{'Data': b'x', 'PartitionKey': 'k'}]),
                    'reader', 'PutRecords', arn, self.no_identity('PutRecords'))
        self.denied(lambda: reader.create_stream(StreamName='nope', ShardCount=1), 'reader', 'CreateStream',
                    'arn:aws:kinesis:us-east-1:%s:stream/nope' % fx.OWNER, self.no_identity('CreateStream'))
        # Nothing was written by the refused calls.
        it = reader.get_shard_iterator(StreamName=name, ShardId=put['ShardId'],
                                       ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        self.assertEqual(len(reader.get_records(ShardIterator=it)['Records']), 1)

    def test_explicit_deny_overrides_allow(self):
        name, arn = self.new_stream()
        denied = self.client('denied')
        denied.put_record(StreamName=name, Data=b'x', PartitionKey='k')  # allowed by kinesis:*
        denied.add_tags_to_stream(StreamName=name, Tags={'a': 'b'})
        self.denied(lambda: denied.delete_stream(StreamName=name), 'denied', 'DeleteStream', arn,
                    'with an explicit deny in an identity-based policy')
        self.assertEqual(self.admin.describe_stream_summary(StreamName=name)['StreamDescriptionSummary']
                         ['StreamStatus'], 'ACTIVE')

    def test_cross_account_reads_allowed_and_refused_by_resource_policy(self):
        name, arn = self.new_stream()
        put = self.admin.put_record(StreamName=name, Data=b'shared', PartitionKey='k')
        partner = self.client('partner')
        reason = 'because no resource-based policy allows the kinesis:%s action'
        self.denied(lambda: partner.describe_stream_summary(StreamARN=arn), 'partner', 'DescribeStreamSummary', arn,
                    reason % 'DescribeStreamSummary')
        self.denied(lambda: partner.get_shard_iterator(StreamARN=arn, ShardId=put['ShardId'],
                                                       ShardIteratorType='TRIM_HORIZON'),
                    'partner', 'GetShardIterator', arn, reason % 'GetShardIterator')
        # A stream that does not exist in another account is refused the same way (its existence is not told).
        ghost = 'arn:aws:kinesis:us-east-1:%s:stream/ghost' % fx.OWNER
        self.denied(lambda: partner.describe_stream_summary(StreamARN=ghost), 'partner', 'DescribeStreamSummary',
                    ghost, reason % 'DescribeStreamSummary')

        policy = {'Version': '2012-10-17', 'Statement': [{
            'Sid': 'partner-reads', 'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::%s:root' % fx.OTHER},
            'Action': ['kinesis:DescribeStreamSummary', 'kinesis:GetShardIterator', 'kinesis:GetRecords',
                       'kinesis:ListShards'],
            'Resource': arn}]}
        self.admin.put_resource_policy(ResourceARN=arn, Policy=json.dumps(policy))
        summary = partner.describe_stream_summary(StreamARN=arn)['StreamDescriptionSummary']
        self.assertEqual(summary['StreamName'], name)
        it = partner.get_shard_iterator(StreamARN=arn, ShardId=put['ShardId'],
                                        ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        self.assertEqual([r['Data'] for r in partner.get_records(ShardIterator=it, StreamARN=arn)['Records']],
                         [b'shared'])
        self.denied(lambda: partner.put_record(StreamARN=arn, Data=b'x', PartitionKey='k'), 'partner', 'PutRecord',
                    arn, reason % 'PutRecord')
        # The partner's own account is its own: the same name there is another stream.
        self.assertEqual(partner.list_streams()['StreamNames'], [])

        # Removing the policy refuses the partner again.
        self.admin.delete_resource_policy(ResourceARN=arn)
        self.denied(lambda: partner.describe_stream_summary(StreamARN=arn), 'partner', 'DescribeStreamSummary', arn,
                    reason % 'DescribeStreamSummary')

    def test_resource_policy_deny_applies_to_the_owner_too(self):
        name, arn = self.new_stream()
        policy = {'Version': '2012-10-17', 'Statement': [{
            'Effect': 'Deny', 'Principal': '*', 'Action': 'kinesis:PutRecord*', 'Resource': arn}]}
        self.admin.put_resource_policy(ResourceARN=arn, Policy=json.dumps(policy))
        self.denied(lambda: self.admin.put_record(StreamName=name, Data=b'x', PartitionKey='k'), 'admin',
                    'PutRecord', arn, 'with an explicit deny in a resource-based policy')
        self.admin.describe_stream_summary(StreamName=name)  # not denied
        self.admin.delete_resource_policy(ResourceARN=arn)
        self.admin.put_record(StreamName=name, Data=b'x', PartitionKey='k')

    def test_put_resource_policy_refuses_what_cannot_be_enforced(self):
        _, arn = self.new_stream()
        policy = {'Statement': [{'Effect': 'Allow', 'Principal': '*', 'Action': 'kinesis:*',
                                 'Condition': {'IpAddress': {'aws:SourceIp': '10.0.0.0/8'}}}]}
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            self.admin.put_resource_policy(ResourceARN=arn, Policy=json.dumps(policy))
        error = caught.exception.response['Error']
        self.assertEqual(error['Code'], 'InvalidArgumentException')
        self.assertIn('unsupported condition operator IpAddress', error['Message'])

    def test_subscribe_to_shard_refused_without_permission(self):
        name, arn = self.new_stream()
        consumer = self.admin.register_stream_consumer(StreamARN=arn, ConsumerName='app')['Consumer']
        shard = self.admin.list_shards(StreamName=name)['Shards'][0]['ShardId']
        start = {'Type': 'TRIM_HORIZON'}
        self.denied(lambda: self.client('reader').subscribe_to_shard(
            ConsumerARN=consumer['ConsumerARN'], ShardId=shard, StartingPosition=start),
            'reader', 'SubscribeToShard', consumer['ConsumerARN'], self.no_identity('SubscribeToShard'))
        self.denied(lambda: self.client('denied').subscribe_to_shard(
            ConsumerARN=consumer['ConsumerARN'], ShardId=shard, StartingPosition=start),
            'denied', 'SubscribeToShard', consumer['ConsumerARN'], 'with an explicit deny in an identity-based policy')
        # The reader may describe the consumer (Describe*), found by its stream and name.
        described = self.client('reader').describe_stream_consumer(StreamARN=arn, ConsumerName='app')
        self.assertEqual(described['ConsumerDescription']['ConsumerARN'], consumer['ConsumerARN'])
        # The admin may subscribe: the event stream opens.
        stream = self.admin.subscribe_to_shard(ConsumerARN=consumer['ConsumerARN'], ShardId=shard,
                                               StartingPosition=start)['EventStream']
        stream.close()


if __name__ == '__main__':
    unittest.main()
