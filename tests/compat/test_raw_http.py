"""Raw HTTP/1.1 (pip python3, http.client + botocore's SigV4 signer): framing, errors, keep-alive, concurrency.

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_raw_http.py -v
"""

import base64
import http.client
import json
import os
import sys
import threading
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

from riffle_server import RiffleServer, unique_name, wait_until  # noqa: E402

JSON_11 = 'application/x-amz-json-1.1'


class RawHttp(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = RiffleServer().start()
        u = urllib.parse.urlsplit(cls.server.endpoint)
        cls.host, cls.port = u.hostname, u.port

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def headers(self, target, body, sign=True):
        h = {'Content-Type': JSON_11, 'X-Amz-Target': 'Kinesis_20131202.' + target}
        if sign:
            req = AWSRequest(method='POST', url=self.server.endpoint + '/', data=body, headers=h)
            SigV4Auth(Credentials('AKIDTEST', 'secret'), 'kinesis', 'us-east-1').add_auth(req)
            h = dict(req.headers.items())
        return h

    def call(self, target, payload=None, raw=None, sign=True, conn=None):
        """POST one request; returns (status, headers dict lower-cased, parsed-or-raw body)."""
        body = raw if raw is not None else json.dumps(payload or {}).encode()
        own = conn is None
        conn = conn or http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.request('POST', '/', body=body, headers=self.headers(target, body, sign))
            resp = conn.getresponse()
            data = resp.read()
            hdrs = {k.lower(): v for k, v in resp.getheaders()}
        finally:
            if own:
                conn.close()
        try:
            parsed = json.loads(data) if data else {}
        except ValueError:
            parsed = data
        return resp.status, hdrs, parsed

    def create(self, shards=1):
        name = unique_name('raw')
        status, _, _ = self.call('CreateStream', {'StreamName': name, 'ShardCount': shards})
        self.assertEqual(status, 200)
        wait_until(lambda: self.call('DescribeStream', {'StreamName': name})[2]
                   .get('StreamDescription', {}).get('StreamStatus') == 'ACTIVE', what='ACTIVE')
        return name

    def test_missing_authorization(self):
        """No Authorization header: 400 {"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"} (AWS, per kinesalite test/connection.js)."""
        status, hdrs, body = self.call('ListStreams', {}, sign=False)
        self.assertEqual(status, 400)
        self.assertEqual(body, {'__type': 'MissingAuthenticationTokenException',
                                'message': 'Missing Authentication Token'})
        self.assertTrue(hdrs.get('content-type', '').startswith(JSON_11))
        self.assertTrue(hdrs.get('x-amzn-requestid'))

    def test_unknown_operation(self):
        """An X-Amz-Target naming no operation is 400 UnknownOperationException."""
        for target in ('NoSuchOperation', 'ListStream', 'DescribeStreamConsumerz'):
            status, hdrs, body = self.call(target, {})
            self.assertEqual(status, 400, target)
            self.assertEqual(body.get('__type', '').split('#')[-1], 'UnknownOperationException', body)
            self.assertTrue(hdrs.get('x-amzn-requestid'))

    def test_invalid_json(self):
        """A body that is not JSON is 400 SerializationException."""
        for raw in (b'hello', b'{"StreamName": ', b'[1, 2'):
            status, _, body = self.call('ListStreams', raw=raw)
            self.assertEqual(status, 400, raw)
            self.assertEqual(body.get('__type', '').split('#')[-1], 'SerializationException', body)

    def test_wrong_member_type(self):
        """A member of the wrong JSON type (ShardCount as a string) is 400 SerializationException."""
        status, _, body = self.call('CreateStream', {'StreamName': unique_name('ser'), 'ShardCount': 'two'})
        self.assertEqual(status, 400)
        self.assertEqual(body.get('__type', '').split('#')[-1], 'SerializationException', body)

    def test_every_response_has_request_id(self):
        """Success and error responses all carry a distinct x-amzn-RequestId and the awsJson1.1 content type."""
        ids = set()
        for target, payload in (('ListStreams', {}), ('DescribeStream', {'StreamName': unique_name('none')}),
                                ('NoSuchOperation', {})):
            status, hdrs, _ = self.call(target, payload)
            rid = hdrs.get('x-amzn-requestid')
            self.assertTrue(rid, (target, hdrs))
            ids.add(rid)
            self.assertTrue(hdrs.get('content-type', '').startswith(JSON_11), hdrs)
        status, hdrs, _ = self.call('ListStreams', {}, sign=False)
        ids.add(hdrs.get('x-amzn-requestid'))
        self.assertEqual(len(ids), 4)

    def test_error_body_shape(self):
        """Errors are HTTP 400 with a JSON body holding __type and a lower-case message."""
        name = unique_name('nf')
        status, _, body = self.call('DescribeStream', {'StreamName': name})
        self.assertEqual(status, 400)
        self.assertEqual(body['__type'].split('#')[-1], 'ResourceNotFoundException')
        self.assertEqual(body['message'], 'Stream %s under account 000000000000 not found.' % name)

    def test_wire_types(self):
        """Sequence numbers and hash keys are JSON strings, Data is base64, timestamps are epoch-second numbers."""
        name = self.create()
        status, _, put = self.call('PutRecord', {'StreamName': name, 'PartitionKey': 'p',
                                                 'Data': base64.b64encode(b'\x00\xffhi').decode()})
        self.assertEqual(status, 200)
        self.assertIsInstance(put['SequenceNumber'], str)
        _, _, desc = self.call('DescribeStream', {'StreamName': name})
        shard = desc['StreamDescription']['Shards'][0]
        self.assertIsInstance(shard['HashKeyRange']['EndingHashKey'], str)
        self.assertIsInstance(desc['StreamDescription']['StreamCreationTimestamp'], (int, float))
        _, _, it = self.call('GetShardIterator', {'StreamName': name, 'ShardId': shard['ShardId'],
                                                  'ShardIteratorType': 'TRIM_HORIZON'})
        _, _, recs = self.call('GetRecords', {'ShardIterator': it['ShardIterator']})
        rec = recs['Records'][0]
        self.assertEqual(base64.b64decode(rec['Data']), b'\x00\xffhi')
        self.assertIsInstance(rec['ApproximateArrivalTimestamp'], (int, float))

    def test_keep_alive_reuses_one_connection(self):
        """Many requests (successes and errors) over one persistent HTTP/1.1 connection all succeed on the same socket."""
        name = self.create()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            self.call('ListStreams', {}, conn=conn)
            sock = conn.sock
            self.assertIsNotNone(sock)
            for i in range(100):
                if i % 10 == 5:
                    status, _, _ = self.call('DescribeStream', {'StreamName': 'nope-' + name}, conn=conn)
                    self.assertEqual(status, 400)
                else:
                    status, _, _ = self.call('PutRecord', {'StreamName': name, 'PartitionKey': str(i),
                                                           'Data': 'eA=='}, conn=conn)
                    self.assertEqual(status, 200)
                self.assertIs(conn.sock, sock, 'connection was closed after request %d' % i)
        finally:
            conn.close()

    def test_fifty_concurrent_connections(self):
        """50 clients, each on its own open connection at the same time, all get correct answers."""
        name = self.create(2)
        n, per = 50, 5
        barrier = threading.Barrier(n, timeout=20)
        results, errors = [], []

        def worker(w):
            try:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=20)
                conn.connect()
                barrier.wait()
                for j in range(per):
                    status, _, body = self.call('PutRecord', {'StreamName': name, 'PartitionKey': '%d-%d' % (w, j),
                                                              'Data': 'eA=='}, conn=conn)
                    if status != 200:
                        errors.append((w, j, status, body))
                    else:
                        results.append((body['ShardId'], body['SequenceNumber']))
                conn.close()
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append((w, repr(e)))

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        self.assertEqual(len(results), n * per)
        self.assertEqual(len(set(results)), n * per, 'sequence numbers are unique within a shard')


if __name__ == '__main__':
    unittest.main()
