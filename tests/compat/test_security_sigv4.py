"""SigV4 verification (`riffle serve --credentials FILE`) with boto3 and the aws CLI, raw HTTP for the
malformed cases and CORS, SIGHUP reloads of the credentials and TLS files, and --tls-only.

Each client is tried with good credentials, a wrong secret, an unknown key, no credentials, a clock 20
minutes off either way and a session token; every refusal must carry AWS's error type and text.

Run: RIFFLE_BIN=build/riffle python3 tests/compat/test_security_sigv4.py -v
"""

import datetime
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import unittest
from unittest import mock

import boto3
import botocore
import botocore.auth
from botocore.config import Config

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import RiffleServer, require_own_server, unique_name, wait_until  # noqa: E402
import security_fixture as fx  # noqa: E402

AWS = os.environ.get('AWS_CLI', '/usr/bin/aws')
FAKETIME = shutil.which('faketime')
JSON_11 = 'application/x-amz-json-1.1'


def client(endpoint, key, secret, token=None, verify=None, **kw):
    config = Config(retries={'total_max_attempts': 1}, **kw)
    return boto3.client('kinesis', endpoint_url=endpoint, region_name='us-east-1', aws_access_key_id=key,
                        aws_secret_access_key=secret, aws_session_token=token, config=config, verify=verify)


class Boto3AndCli(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        require_own_server(cls)
        cls.secured = fx.SecuredServer()
        cls.server, cls.credentials, cls.dir = cls.secured.server, cls.secured.credentials, cls.secured.dir
        cls.admin = client(cls.server.endpoint, 'AKIDADMIN', 'admin-secret')
        cls.stream = unique_name('sec')
        cls.admin.create_stream(StreamName=cls.stream, ShardCount=1)

    @classmethod
    def tearDownClass(cls):
        cls.secured.close()

    def refused(self, call, code, message):
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            call()
        error = caught.exception.response['Error']
        self.assertEqual((error['Code'], error['Message']), (code, message))
        self.assertEqual(caught.exception.response['ResponseMetadata']['HTTPStatusCode'], 400)
        return error['Message']

    # -- boto3 ----------------------------------------------------------
    def test_boto3_good_credentials_read_and_write(self):
        """The admin key (no policy: everything in its own account) writes and reads back; ARNs show its account."""
        put = self.admin.put_record(StreamName=self.stream, Data=b'signed', PartitionKey='k')
        it = self.admin.get_shard_iterator(StreamName=self.stream, ShardId=put['ShardId'],
                                           ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        self.assertIn(b'signed', [r['Data'] for r in self.admin.get_records(ShardIterator=it)['Records']])
        summary = self.admin.describe_stream_summary(StreamName=self.stream)['StreamDescriptionSummary']
        self.assertEqual(summary['StreamARN'], 'arn:aws:kinesis:us-east-1:%s:stream/%s' % (fx.OWNER, self.stream))

    def test_boto3_wrong_secret(self):
        self.refused(client(self.server.endpoint, 'AKIDADMIN', 'not-the-secret').list_streams,
                     'InvalidSignatureException', fx.MISMATCH)

    def test_boto3_unknown_key(self):
        self.refused(client(self.server.endpoint, 'AKIDNOBODY', 'x').list_streams,
                     'UnrecognizedClientException', fx.INVALID_TOKEN)

    def test_boto3_no_credentials(self):
        unsigned = client(self.server.endpoint, 'x', 'x', signature_version=botocore.UNSIGNED)
        self.refused(unsigned.list_streams, 'MissingAuthenticationTokenException', fx.MISSING)

    def test_boto3_clock_twenty_minutes_off(self):
        """A signature dated 20 minutes back or ahead: AWS's "Signature expired" / "not yet current" texts."""
        for minutes, prefix in ((-20, 'Signature expired: '), (20, 'Signature not yet current: ')):
            skewed = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
            with mock.patch.object(botocore.auth, 'get_current_datetime', return_value=skewed):
                with self.assertRaises(botocore.exceptions.ClientError) as caught:
                    self.admin.list_streams()
            error = caught.exception.response['Error']
            self.assertEqual(error['Code'], 'InvalidSignatureException')
            self.assertTrue(error['Message'].startswith(prefix + skewed.strftime('%Y%m%dT%H%M%SZ')), error)
            self.assertTrue(error['Message'].endswith(' 15 min.)'), error)

    def test_boto3_session_token(self):
        """A key with a session token works only with that token (X-Amz-Security-Token)."""
        ok = client(self.server.endpoint, 'ASIATEMP', 'temp-secret', token='the-session-token')
        self.assertIn(self.stream, ok.list_streams()['StreamNames'])
        self.refused(client(self.server.endpoint, 'ASIATEMP', 'temp-secret').list_streams,
                     'UnrecognizedClientException', fx.INVALID_TOKEN)
        self.refused(client(self.server.endpoint, 'ASIATEMP', 'temp-secret', token='stolen').list_streams,
                     'UnrecognizedClientException', fx.INVALID_TOKEN)
        # A token sent with a key that has none is refused too.
        self.refused(client(self.server.endpoint, 'AKIDADMIN', 'admin-secret', token='x').list_streams,
                     'UnrecognizedClientException', fx.INVALID_TOKEN)

    def test_boto3_over_https_and_other_regions(self):
        """The signature's region is the request's region; its streams are separate."""
        west = boto3.client('kinesis', endpoint_url=self.server.endpoint, region_name='eu-west-1',
                            aws_access_key_id='AKIDADMIN', aws_secret_access_key='admin-secret')
        self.assertNotIn(self.stream, west.list_streams()['StreamNames'])

    # -- the aws CLI ----------------------------------------------------
    def aws(self, profile, *args, faketime=None, extra=()):
        """`aws kinesis ARGS` with the credentials file itself as the CLI's (the format people already have)."""
        env = dict(os.environ, AWS_SHARED_CREDENTIALS_FILE=self.credentials, AWS_DEFAULT_REGION='us-east-1',
                   AWS_PAGER='', AWS_MAX_ATTEMPTS='1', AWS_CONFIG_FILE=os.path.join(self.dir, 'no-config'),
                   HOME=self.dir)
        for k in ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'):
            env.pop(k, None)
        cmd = [AWS, '--endpoint-url', self.server.endpoint, '--output', 'json'] + list(extra)
        if profile:
            cmd += ['--profile', profile]
        cmd += ['kinesis'] + list(args)
        if faketime:
            cmd = [FAKETIME, '-f', faketime] + cmd
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)

    def assertCliError(self, p, code, message):
        self.assertNotEqual(p.returncode, 0, p.stdout)
        # "... operation (reached max retries: 0): MESSAGE" when the CLI retried nothing.
        self.assertRegex(p.stderr, r'An error occurred \(%s\) when calling the ListStreams operation'
                                   r'( \(reached max retries: \d+\))?: %s' % (code, re.escape(message)))

    @unittest.skipUnless(os.path.exists(AWS), 'aws CLI not found')
    def test_cli_profiles_from_the_same_file(self):
        p = self.aws('admin', 'list-streams')
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(self.stream, json.loads(p.stdout)['StreamNames'])
        p = self.aws('temp', 'list-streams')  # aws_session_token from the file
        self.assertEqual(p.returncode, 0, p.stderr)

    @unittest.skipUnless(os.path.exists(AWS), 'aws CLI not found')
    def test_cli_refusals(self):
        with open(os.path.join(self.dir, 'cli-bad'), 'w') as f:
            f.write('[wrong]\naws_access_key_id = AKIDADMIN\naws_secret_access_key = nope\n'
                    '[unknown]\naws_access_key_id = AKIDNOBODY\naws_secret_access_key = x\n')
        env_file = os.path.join(self.dir, 'cli-bad')
        old = self.credentials
        try:
            self.credentials = env_file
            self.assertCliError(self.aws('wrong', 'list-streams'), 'InvalidSignatureException', fx.MISMATCH)
            self.assertCliError(self.aws('unknown', 'list-streams'), 'UnrecognizedClientException', fx.INVALID_TOKEN)
        finally:
            self.credentials = old
        self.assertCliError(self.aws(None, 'list-streams', extra=['--no-sign-request']),
                            'MissingAuthenticationTokenException', fx.MISSING)

    @unittest.skipUnless(os.path.exists(AWS) and FAKETIME, 'aws CLI or faketime (Debian faketime) not found')
    def test_cli_clock_twenty_minutes_off(self):
        p = self.aws('admin', 'list-streams', faketime='-20m')
        self.assertCliError(p, 'InvalidSignatureException', 'Signature expired: ')
        p = self.aws('admin', 'list-streams', faketime='+20m')
        self.assertCliError(p, 'InvalidSignatureException', 'Signature not yet current: ')

    # -- raw HTTP: malformed headers, CORS ------------------------------
    def post(self, headers, body=b'{}'):
        conn = http.client.HTTPConnection('127.0.0.1', self.server.port, timeout=10)
        conn.request('POST', '/', body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), json.loads(data) if data else None

    def test_raw_malformed_and_scoped_wrong(self):
        signed = fx.sign('127.0.0.1', self.server.port, 'Kinesis_20131202.ListStreams', b'{}', JSON_11)
        status, _, body = self.post(signed)
        self.assertEqual(status, 200, body)
        # The Authorization header without its Signature: IncompleteSignatureException.
        broken = dict(signed, authorization=signed['authorization'].split(', Signature=')[0])
        status, _, body = self.post(broken)
        self.assertEqual((status, body['__type']), (400, 'IncompleteSignatureException'))
        self.assertTrue(body['message'].startswith("Authorization header requires 'Signature' parameter. "), body)
        # Signed for another service.
        other = fx.sign('127.0.0.1', self.server.port, 'Kinesis_20131202.ListStreams', b'{}', JSON_11,
                        service='dynamodb')
        status, _, body = self.post(other)
        self.assertEqual((status, body), (400, {'__type': 'InvalidSignatureException',
                                                'message': "Credential should be scoped to correct service: "
                                                           "'kinesis'. "}))
        # The body changed after signing.
        status, _, body = self.post(signed, body=b'{"Limit": 1}')
        self.assertEqual((status, body['__type'], body['message']), (400, 'InvalidSignatureException', fx.MISMATCH))

    def test_cors_preflight_and_response_headers(self):
        """As Kinesis answers browsers: the preflight needs no signature; responses expose the request id."""
        conn = http.client.HTTPConnection('127.0.0.1', self.server.port, timeout=10)
        conn.request('OPTIONS', '/', headers={
            'Origin': 'http://page.example', 'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'authorization,content-type,x-amz-date,x-amz-target'})
        r = conn.getresponse()
        r.read()
        h = dict((k.lower(), v) for k, v in r.getheaders())
        self.assertEqual(r.status, 200)
        self.assertEqual(h['access-control-allow-origin'], '*')
        self.assertEqual(h['access-control-allow-methods'], 'POST')
        self.assertEqual(h['access-control-allow-headers'], 'authorization,content-type,x-amz-date,x-amz-target')
        self.assertEqual(h['access-control-max-age'], '172800')
        conn.close()
        signed = fx.sign('127.0.0.1', self.server.port, 'Kinesis_20131202.ListStreams', b'{}', JSON_11)
        for headers in (signed, {'content-type': JSON_11, 'x-amz-target': 'Kinesis_20131202.ListStreams'}):
            status, h, _ = self.post(dict(headers, origin='http://page.example'))
            self.assertEqual(h['access-control-allow-origin'], '*')
            self.assertIn('x-amzn-RequestId', h['access-control-expose-headers'].split(','))
        # Without Origin, no CORS headers.
        _, h, _ = self.post(signed)
        self.assertNotIn('access-control-allow-origin', h)


class WithoutCredentials(unittest.TestCase):
    """No --credentials: any signature is accepted, as before (local development)."""

    def test_any_signature_works(self):
        require_own_server(self)
        with RiffleServer(in_memory=True) as srv:
            kin = client(srv.endpoint, 'anything', 'wrong-secret')
            kin.create_stream(StreamName='free', ShardCount=1)
            self.assertEqual(kin.list_streams()['StreamNames'], ['free'])


class Served:
    """riffle serve ARGS in its own process, its stdout (the ready lines, then the log) collected."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([os.environ['RIFFLE_BIN'], 'serve', '--in-memory', '--host', '127.0.0.1'] +
                                     list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self.lines = []
        self.ready = self.proc.stdout.readline().decode()
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self):
        for line in iter(self.proc.stdout.readline, b''):
            self.lines.append(line.decode('utf-8', 'replace'))

    def logged(self, text):
        return any(text in line for line in list(self.lines))

    def close(self):
        self.proc.terminate()
        self.proc.wait(20)
        self.proc.stdout.close()


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Reload(unittest.TestCase):
    """SIGHUP reads the credentials file again, keeping open connections; a broken file keeps the old keys."""

    def test_sighup_reloads_keys(self):
        require_own_server(self)
        folder = tempfile.mkdtemp(prefix='riffle-sec-')
        path = fx.write_credentials(folder, {'admin': fx.KEYS['admin']})
        srv = Served('--port', '0', '--credentials', path)
        try:
            endpoint = srv.ready.replace('Riffle ready at ', '').strip()
            admin = client(endpoint, 'AKIDADMIN', 'admin-secret')
            newcomer = client(endpoint, 'AKIDNEW', 'new-secret')
            admin.list_streams()  # opens a keep-alive connection
            self.assertFalse(_works(newcomer))
            fx.write_credentials(folder, {'new': ('AKIDNEW', 'new-secret', '')})
            srv.proc.send_signal(signal.SIGHUP)
            wait_until(lambda: srv.logged('SIGHUP: 1 access key(s)'), what='the reload logged')
            self.assertTrue(_works(newcomer))
            # The admin key is gone: refused, on its old connection.
            with self.assertRaises(botocore.exceptions.ClientError) as caught:
                admin.list_streams()
            self.assertEqual(caught.exception.response['Error']['Code'], 'UnrecognizedClientException')
            # A broken file: the previous keys stay.
            with open(path, 'w') as f:
                f.write('[broken]\naws_access_key_id = X\n')
            srv.proc.send_signal(signal.SIGHUP)
            wait_until(lambda: srv.logged('keeping the previous credentials'), what='the failed reload logged')
            self.assertTrue(srv.logged('section [broken] needs aws_access_key_id and aws_secret_access_key'))
            self.assertTrue(_works(newcomer))
        finally:
            srv.close()
            shutil.rmtree(folder, ignore_errors=True)

    def test_bad_files_stop_the_start(self):
        """A credentials file or policy that cannot be used stops `riffle serve` with one line naming it."""
        folder = tempfile.mkdtemp(prefix='riffle-sec-')
        try:
            path = fx.write_credentials(folder, {'reader': fx.KEYS['reader']})
            with open(os.path.join(folder, 'reader.json'), 'w') as f:
                json.dump({'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*',
                                          'Condition': {'IpAddress': {'aws:SourceIp': '10.0.0.0/8'}}}]}, f)
            p = subprocess.run([os.environ['RIFFLE_BIN'], 'serve', '--in-memory', '--port', '0', '--credentials', path],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 1)
            self.assertIn('policy_file', p.stderr)
            self.assertIn('unsupported condition operator IpAddress', p.stderr)
            p = subprocess.run([os.environ['RIFFLE_BIN'], 'serve', '--in-memory', '--port', '0', '--credentials',
                                os.path.join(folder, 'missing')], capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 1)
            self.assertIn('cannot read credentials file', p.stderr)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _works(kin):
    try:
        kin.list_streams()
        return True
    except botocore.exceptions.ClientError:
        return False


class TlsOnly(unittest.TestCase):
    """--tls-only: no plaintext port; TLS 1.2 at least; the certificate and key are read again on SIGHUP."""

    def test_tls_only_and_certificate_reload(self):
        require_own_server(self)
        binary = os.environ['RIFFLE_BIN']
        folder = tempfile.mkdtemp(prefix='riffle-tls-')
        srv = None
        try:
            for name in ('one', 'two'):
                os.mkdir(os.path.join(folder, name))
                subprocess.run([binary, 'cert', '--out-dir', os.path.join(folder, name)], check=True,
                               capture_output=True)
            cert, key = os.path.join(folder, 'riffle.crt'), os.path.join(folder, 'riffle.key')
            shutil.copy(os.path.join(folder, 'one', 'riffle.crt'), cert)
            shutil.copy(os.path.join(folder, 'one', 'riffle.key'), key)
            credentials = fx.write_credentials(folder)
            refused = subprocess.run([binary, 'serve', '--in-memory', '--tls-only'], capture_output=True, text=True)
            self.assertEqual(refused.returncode, 1)
            self.assertIn('--tls-only needs --tls-cert', refused.stderr)
            plain_port = free_port()
            srv = Served('--port', str(plain_port), '--tls-only', '--tls-cert', cert, '--tls-key', key,
                         '--tls-port', '0', '--credentials', credentials)
            self.assertTrue(srv.ready.startswith('Riffle ready at https://127.0.0.1:'), srv.ready)
            port = int(srv.ready.strip().rsplit(':', 1)[1])
            with self.assertRaises(ConnectionRefusedError):
                socket.create_connection(('127.0.0.1', plain_port), timeout=5).close()
            kin = boto3.client('kinesis', endpoint_url='https://127.0.0.1:%d' % port, region_name='us-east-1',
                               aws_access_key_id='AKIDADMIN', aws_secret_access_key='admin-secret',
                               verify=os.path.join(folder, 'one', 'riffle.crt'))
            kin.create_stream(StreamName='tls', ShardCount=1)
            self.assertEqual(kin.list_streams()['StreamNames'], ['tls'])
            self.assertRaises(botocore.exceptions.ClientError,
                              client('https://127.0.0.1:%d' % port, 'AKIDADMIN', 'wrong', verify=False).list_streams)
            # TLS 1.1 is refused (1.2 is the minimum).
            old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            old.check_hostname = False
            old.verify_mode = ssl.CERT_NONE
            try:
                old.minimum_version = ssl.TLSVersion.TLSv1_1
                old.maximum_version = ssl.TLSVersion.TLSv1_1
                with self.assertRaises(ssl.SSLError):
                    with socket.create_connection(('127.0.0.1', port), timeout=5) as s:
                        old.wrap_socket(s).close()
            except ValueError:
                pass  # this OpenSSL cannot even offer TLS 1.1
            # SIGHUP with a new certificate: new connections get it, the open one keeps working.
            first = _peer_certificate(port)
            shutil.copy(os.path.join(folder, 'two', 'riffle.crt'), cert)
            shutil.copy(os.path.join(folder, 'two', 'riffle.key'), key)
            srv.proc.send_signal(signal.SIGHUP)
            wait_until(lambda: srv.logged('TLS certificate'), what='the TLS reload logged')
            with open(os.path.join(folder, 'two', 'riffle.crt')) as f:
                second = ssl.PEM_cert_to_DER_cert(f.read())
            self.assertNotEqual(first, second)
            self.assertEqual(_peer_certificate(port), second)
            self.assertEqual(kin.list_streams()['StreamNames'], ['tls'])  # its keep-alive connection
        finally:
            if srv:
                srv.close()
            shutil.rmtree(folder, ignore_errors=True)


def _peer_certificate(port):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(('127.0.0.1', port), timeout=5) as s:
        with context.wrap_socket(s) as tls:
            return tls.getpeercert(binary_form=True)


if __name__ == '__main__':
    unittest.main()
