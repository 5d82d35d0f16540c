"""boto3 (pip python3): TagResource / UntagResource / ListTagsForResource on
stream and consumer ARNs, CreateStream's and RegisterStreamConsumer's Tags;
Put/Get/DeleteResourcePolicy on stream and consumer ARNs.

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_boto3_resources.py -v
"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from botocore.exceptions import ClientError  # noqa: E402

from riffle_server import RiffleServer, unique_name  # noqa: E402
from kinesis_helpers import client, create_active, error_code, wait_active  # noqa: E402


def as_dict(tags):
    return {t['Key']: t['Value'] for t in tags}


class ResourceTags(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer(in_memory=True).start()
        cls.kin = client(cls.server.endpoint, validate=True)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def assertError(self, code, fn, *args, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(error_code(cm.exception), code, cm.exception.response)

    def test_stream_tags_are_shared_with_tags_for_stream(self):
        """A stream ARN's resource tags are the stream's tags; CreateStream's Tags are applied."""
        name = unique_name('rtag')
        self.kin.create_stream(StreamName=name, ShardCount=1, Tags={'made': 'create'})
        arn = wait_active(self.kin, name)['StreamARN']
        self.assertEqual(as_dict(self.kin.list_tags_for_resource(ResourceARN=arn)['Tags']), {'made': 'create'})
        self.kin.tag_resource(ResourceARN=arn, Tags={'team': 'data', 'env': ''})
        self.kin.add_tags_to_stream(StreamName=name, Tags={'old': 'api'})
        expected = {'made': 'create', 'team': 'data', 'env': '', 'old': 'api'}
        self.assertEqual(as_dict(self.kin.list_tags_for_resource(ResourceARN=arn)['Tags']), expected)
        self.assertEqual(as_dict(self.kin.list_tags_for_stream(StreamName=name)['Tags']), expected)
        self.kin.untag_resource(ResourceARN=arn, TagKeys=['made', 'old', 'absent'])
        self.assertEqual(as_dict(self.kin.list_tags_for_stream(StreamName=name)['Tags']), {'team': 'data', 'env': ''})
        self.assertError('ResourceNotFoundException', self.kin.list_tags_for_resource, ResourceARN=arn + 'x')

    def test_consumer_tags(self):
        """A consumer ARN has its own tags, starting with RegisterStreamConsumer's Tags."""
        name = unique_name('ctag')
        arn = create_active(self.kin, name, 1)['StreamARN']
        self.kin.add_tags_to_stream(StreamName=name, Tags={'stream': 'only'})
        consumer = self.kin.register_stream_consumer(StreamARN=arn, ConsumerName='app',
                                                     Tags={'c': '1'})['Consumer']['ConsumerARN']
        self.assertEqual(self.kin.list_tags_for_resource(ResourceARN=consumer)['Tags'], [{'Key': 'c', 'Value': '1'}])
        self.kin.tag_resource(ResourceARN=consumer, Tags={'c': '2', 'd': 'x'})
        self.kin.untag_resource(ResourceARN=consumer, TagKeys=['d'])
        self.assertEqual(self.kin.list_tags_for_resource(ResourceARN=consumer)['Tags'], [{'Key': 'c', 'Value': '2'}])
        self.assertEqual(as_dict(self.kin.list_tags_for_resource(ResourceARN=arn)['Tags']), {'stream': 'only'})
        self.assertError('ResourceNotFoundException', self.kin.tag_resource, ResourceARN=arn + '/consumer/nobody:1',
                         Tags={'a': 'b'})

    def test_fifty_tags_per_resource(self):
        """At most 50 tags per stream or consumer."""
        name = unique_name('rtlim')
        arn = create_active(self.kin, name, 1)['StreamARN']
        consumer = self.kin.register_stream_consumer(StreamARN=arn, ConsumerName='app')['Consumer']['ConsumerARN']
        fifty = {'k%02d' % i: 'v' for i in range(50)}
        for resource in (arn, consumer):
            self.kin.tag_resource(ResourceARN=resource, Tags=fifty)
            self.assertEqual(len(self.kin.list_tags_for_resource(ResourceARN=resource)['Tags']), 50)
            self.assertError('InvalidArgumentException', self.kin.tag_resource, ResourceARN=resource,
                             Tags={'one-more': 'v'})
            self.assertError('InvalidArgumentException', self.kin.tag_resource, ResourceARN=resource,
                             Tags={'k00': 'bad#'})
        self.assertError('InvalidArgumentException', self.kin.create_stream, StreamName=unique_name('rtmany'),
                         ShardCount=1, Tags={'k%02d' % i: 'v' for i in range(51)})



POLICY = json.dumps({
    'Version': '2012-10-17',
    'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::111122223333:root'},
                   'Action': 'kinesis:GetRecords', 'Resource': '*'}],
})


class ResourcePolicies(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer(in_memory=True).start()
        cls.kin = client(cls.server.endpoint, validate=True)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def assertError(self, code, fn, *args, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(error_code(cm.exception), code, cm.exception.response)

    def test_put_get_delete_on_stream_and_consumer(self):
        """Each resource has its own policy; none reads as "{}"."""
        name = unique_name('pol')
        arn = create_active(self.kin, name, 1)['StreamARN']
        consumer = self.kin.register_stream_consumer(StreamARN=arn, ConsumerName='app')['Consumer']['ConsumerARN']
        for resource in (arn, consumer):
            self.assertEqual(self.kin.get_resource_policy(ResourceARN=resource)['Policy'], '{}')
        self.kin.put_resource_policy(ResourceARN=arn, Policy=POLICY)
        self.assertEqual(self.kin.get_resource_policy(ResourceARN=arn)['Policy'], POLICY)
        self.assertEqual(self.kin.get_resource_policy(ResourceARN=consumer)['Policy'], '{}')
        self.kin.put_resource_policy(ResourceARN=consumer, Policy='{"Statement": []}')
        self.assertEqual(self.kin.get_resource_policy(ResourceARN=consumer)['Policy'], '{"Statement": []}')
        self.kin.delete_resource_policy(ResourceARN=arn)
        self.assertEqual(self.kin.get_resource_policy(ResourceARN=arn)['Policy'], '{}')
        self.assertEqual(self.kin.get_resource_policy(ResourceARN=consumer)['Policy'], '{"Statement": []}')
        self.kin.delete_resource_policy(ResourceARN=consumer)
        self.assertEqual(self.kin.get_resource_policy(ResourceARN=consumer)['Policy'], '{}')

    def test_invalid_policies_and_missing_resources(self):
        """The policy must be a JSON object of at most 20 KiB; the resource must exist."""
        name = unique_name('polbad')
        arn = create_active(self.kin, name, 1)['StreamARN']
        for bad in ('not json', '{"a": ', '[1, 2]'):
            self.assertError('InvalidArgumentException', self.kin.put_resource_policy, ResourceARN=arn, Policy=bad)
        big = json.dumps({'Statement': 'x' * (20 * 1024)})
        self.assertError('InvalidArgumentException', self.kin.put_resource_policy, ResourceARN=arn, Policy=big)
        self.assertEqual(self.kin.get_resource_policy(ResourceARN=arn)['Policy'], '{}')
        self.assertError('ResourceNotFoundException', self.kin.get_resource_policy, ResourceARN=arn + 'x')
        self.assertError('ResourceNotFoundException', self.kin.put_resource_policy,
                         ResourceARN=arn + '/consumer/nobody:1', Policy=POLICY)


if __name__ == '__main__':
    unittest.main()
