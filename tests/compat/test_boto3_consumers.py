"""boto3 (pip python3): Register/Describe/List/DeregisterStreamConsumer and
DeleteStream's EnforceConsumerDeletion.

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_boto3_consumers.py -v
"""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from botocore.exceptions import ClientError  # noqa: E402

from riffle_server import RiffleServer, unique_name, wait_until  # noqa: E402
from kinesis_helpers import client, create_active, error_code, wait_gone  # noqa: E402

ACCOUNT = '000000000000'


class Consumers(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer(in_memory=True).start()
        cls.kin = client(cls.server.endpoint, validate=True)
        cls.raw = client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def assertError(self, code, fn, *args, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(error_code(cm.exception), code, cm.exception.response)

    def stream(self, prefix):
        name = unique_name(prefix)
        return name, create_active(self.kin, name, 1)['StreamARN']

    def test_register_describe_list_deregister(self):
        """A consumer has AWS's ARN form, is described by ARN or by stream+name, listed, counted, then removed."""
        name, arn = self.stream('cons')
        c = self.kin.register_stream_consumer(StreamARN=arn, ConsumerName='app')['Consumer']
        self.assertEqual(c['ConsumerName'], 'app')
        self.assertRegex(c['ConsumerARN'], r'^' + re.escape(arn) + r'/consumer/app:\d+$')
        self.assertEqual(c['ConsumerStatus'], 'ACTIVE')
        self.assertEqual(c['ConsumerARN'].rsplit(':', 1)[1], str(int(c['ConsumerCreationTimestamp'].timestamp())))
        by_arn = self.kin.describe_stream_consumer(ConsumerARN=c['ConsumerARN'])['ConsumerDescription']
        by_name = self.kin.describe_stream_consumer(StreamARN=arn, ConsumerName='app')['ConsumerDescription']
        self.assertEqual(by_arn, by_name)
        self.assertEqual(by_arn['StreamARN'], arn)
        self.assertError('ResourceInUseException', self.kin.register_stream_consumer, StreamARN=arn,
                         ConsumerName='app')
        self.kin.register_stream_consumer(StreamARN=arn, ConsumerName='batch')
        listed = self.kin.list_stream_consumers(StreamARN=arn)['Consumers']
        self.assertEqual([x['ConsumerName'] for x in listed], ['app', 'batch'])
        summary = self.kin.describe_stream_summary(StreamName=name)['StreamDescriptionSummary']
        self.assertEqual(summary['ConsumerCount'], 2)
        self.kin.deregister_stream_consumer(ConsumerARN=c['ConsumerARN'])
        self.assertError('ResourceNotFoundException', self.kin.describe_stream_consumer, ConsumerARN=c['ConsumerARN'])
        self.kin.deregister_stream_consumer(StreamARN=arn, ConsumerName='batch')
        self.assertEqual(self.kin.list_stream_consumers(StreamARN=arn)['Consumers'], [])
        self.assertError('InvalidArgumentException', self.raw.describe_stream_consumer, ConsumerName='app')
        self.assertError('ResourceNotFoundException', self.kin.register_stream_consumer,
                         StreamARN=arn + 'x', ConsumerName='app')

    def test_limit_and_pagination(self):
        """At most 20 consumers per stream; ListStreamConsumers pages with MaxResults/NextToken."""
        name, arn = self.stream('conslim')
        for i in range(20):
            self.kin.register_stream_consumer(StreamARN=arn, ConsumerName='c%02d' % i)
        self.assertError('LimitExceededException', self.kin.register_stream_consumer, StreamARN=arn,
                         ConsumerName='c20')
        page = self.kin.list_stream_consumers(StreamARN=arn, MaxResults=8)
        names = [x['ConsumerName'] for x in page['Consumers']]
        while 'NextToken' in page:
            page = self.kin.list_stream_consumers(StreamARN=arn, NextToken=page['NextToken'], MaxResults=8)
            names += [x['ConsumerName'] for x in page['Consumers']]
        self.assertEqual(names, ['c%02d' % i for i in range(20)])
        paged = []
        for p in self.kin.get_paginator('list_stream_consumers').paginate(StreamARN=arn,
                                                                          PaginationConfig={'PageSize': 7}):
            paged += [x['ConsumerName'] for x in p['Consumers']]
        self.assertEqual(paged, names)

    def test_delete_stream_with_consumers(self):
        """DeleteStream refuses a stream with consumers unless EnforceConsumerDeletion; then they go with it."""
        name, arn = self.stream('consdel')
        self.kin.register_stream_consumer(StreamARN=arn, ConsumerName='app')
        self.assertError('ResourceInUseException', self.kin.delete_stream, StreamName=name)
        self.kin.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
        wait_gone(self.kin, name)
        create_active(self.kin, name, 1)
        self.assertEqual(self.kin.list_stream_consumers(StreamARN=arn)['Consumers'], [])


class ConsumerDelays(unittest.TestCase):
    """With --create-stream-ms / --delete-stream-ms consumers are CREATING, then ACTIVE; DELETING, then gone."""

    def test_creating_then_active_then_deleting(self):
        server = RiffleServer(in_memory=True, args=['--create-stream-ms', '500', '--delete-stream-ms', '500']).start()
        try:
            kin = client(server.endpoint)
            name = unique_name('consdelay')
            arn = create_active(kin, name, 1)['StreamARN']
            c = kin.register_stream_consumer(StreamARN=arn, ConsumerName='app')['Consumer']
            self.assertEqual(c['ConsumerStatus'], 'CREATING')

            def status():
                try:
                    return kin.describe_stream_consumer(ConsumerARN=c['ConsumerARN'])[
                        'ConsumerDescription']['ConsumerStatus']
                except ClientError as e:
                    return error_code(e)
            wait_until(lambda: status() == 'ACTIVE', 10, what='consumer ACTIVE')
            kin.deregister_stream_consumer(ConsumerARN=c['ConsumerARN'])
            self.assertEqual(status(), 'DELETING')
            wait_until(lambda: status() == 'ResourceNotFoundException', 10, what='consumer gone')
        finally:
            server.close()


if __name__ == '__main__':
    unittest.main()
