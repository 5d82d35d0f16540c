"""SigV4 verification and permissions for a CBOR client (application/x-amz-cbor-1.1, as the Java SDK v2 and
KCL speak it): bodies encoded with cbor2 (Debian python3-cbor2), requests signed with the standard library.
Good credentials, a wrong secret, an unknown key, none, a clock 20 minutes off, a session token, and a
read-only key refused PutRecord; every refusal is a CBOR error body with AWS's type and text, and the
signature is checked before the body is decoded.

Run: RIFFLE_BIN=build/riffle /usr/bin/python3 tests/compat/test_cbor_security.py -v
"""

import http.client
import io
import os
import sys
import unittest

import cbor2
import cbor2.decoder

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import require_own_server, unique_name  # noqa: E402
import security_fixture as fx  # noqa: E402

CBOR_11 = 'application/x-amz-cbor-1.1'
cbor2.decoder.semantic_decoders.pop(1, None)  # keep tag 1 (epoch millis) raw


class CborSecurity(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        require_own_server(cls)
        cls.secured = fx.SecuredServer()
        cls.server = cls.secured.server

    @classmethod
    def tearDownClass(cls):
        cls.secured.close()

    def call(self, op, payload=None, raw=None, **signing):
        """(status, decoded body) of a signed CBOR request; signing: key, secret, token, offset_seconds."""
        body = raw if raw is not None else cbor2.dumps(payload or {})
        target = 'Kinesis_20131202.' + op
        if signing.pop('unsigned', False):
            headers = {'content-type': CBOR_11, 'x-amz-target': target}
        else:
            headers = fx.sign('127.0.0.1', self.server.port, target, body, CBOR_11, **signing)
        conn = http.client.HTTPConnection('127.0.0.1', self.server.port, timeout=30)
        try:
            conn.request('POST', '/', body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.assertEqual(resp.getheader('Content-Type'), CBOR_11)
            return resp.status, (cbor2.decoder.CBORDecoder(io.BytesIO(data)).decode() if data else {})
        finally:
            conn.close()

    def refused(self, result, error_type, message):
        status, body = result
        self.assertEqual((status, body.get('__type'), body.get('message')), (400, error_type, message))

    def test_good_credentials_write_and_read(self):
        name = unique_name('cbor')
        self.assertEqual(self.call('CreateStream', {'StreamName': name, 'ShardCount': 1}), (200, {}))
        status, put = self.call('PutRecord', {'StreamName': name, 'Data': b'\x00cbor', 'PartitionKey': 'k'})
        self.assertEqual(status, 200, put)
        status, it = self.call('GetShardIterator', {'StreamName': name, 'ShardId': put['ShardId'],
                                                    'ShardIteratorType': 'TRIM_HORIZON'})
        status, records = self.call('GetRecords', {'ShardIterator': it['ShardIterator']},
                                    key='AKIDREADER', secret='reader-secret')
        self.assertEqual(status, 200, records)
        self.assertEqual([r['Data'] for r in records['Records']], [b'\x00cbor'])

    def test_refusals(self):
        self.refused(self.call('ListStreams', secret='wrong'), 'InvalidSignatureException', fx.MISMATCH)
        self.refused(self.call('ListStreams', key='AKIDNOBODY'), 'UnrecognizedClientException', fx.INVALID_TOKEN)
        self.refused(self.call('ListStreams', unsigned=True), 'MissingAuthenticationTokenException', fx.MISSING)
        status, body = self.call('ListStreams', offset_seconds=-20 * 60)
        self.assertEqual((status, body['__type']), (400, 'InvalidSignatureException'))
        self.assertTrue(body['message'].startswith('Signature expired: '), body)
        status, body = self.call('ListStreams', offset_seconds=20 * 60)
        self.assertTrue(body['message'].startswith('Signature not yet current: '), body)

    def test_session_token(self):
        self.assertEqual(self.call('ListStreams', key='ASIATEMP', secret='temp-secret',
                                   token='the-session-token')[0], 200)
        self.refused(self.call('ListStreams', key='ASIATEMP', secret='temp-secret'),
                     'UnrecognizedClientException', fx.INVALID_TOKEN)
        self.refused(self.call('ListStreams', key='ASIATEMP', secret='temp-secret', token='other'),
                     'UnrecognizedClientException', fx.INVALID_TOKEN)

    def test_signature_is_checked_before_the_body_is_decoded(self):
        """Garbage CBOR with a wrong signature is an authentication error, not a SerializationException."""
        self.refused(self.call('ListStreams', raw=b'\xff\xff\xff', secret='wrong'), 'InvalidSignatureException',
                     fx.MISMATCH)
        status, body = self.call('ListStreams', raw=b'\xff\xff\xff')
        self.assertEqual((status, body['__type']), (400, 'SerializationException'))

    def test_read_only_key_cannot_put(self):
        name = unique_name('cbor')
        self.assertEqual(self.call('CreateStream', {'StreamName': name, 'ShardCount': 1})[0], 200)
        arn = 'arn:aws:kinesis:us-east-1:%s:stream/%s' % (fx.OWNER, name)
        self.refused(self.call('PutRecord', {'StreamName': name, 'Data': b'x', 'PartitionKey': 'k'},
                               key='AKIDREADER', secret='reader-secret'), 'AccessDeniedException',
                     'User: arn:aws:iam::%s:user/reader is not authorized to perform: kinesis:PutRecord on resource: '
                     '%s because no identity-based policy allows the kinesis:PutRecord action' % (fx.OWNER, arn))


if __name__ == '__main__':
    unittest.main()
