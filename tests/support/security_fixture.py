"""Keys, policies and a standard-library SigV4 signer for the security tests.

Works under any Python 3. `write_credentials(folder)` writes a credentials
file in the AWS shared format (plus Riffle's account_id and policy_file) and
the policy files it names; `sign(...)` signs a raw request as the SDKs do.
"""

import datetime
import hashlib
import hmac
import json
import os
import shutil
import tempfile

from riffle_server import RiffleServer

OWNER = '111111111111'   # --account-id of the servers under test
OTHER = '222222222222'   # the account of the 'partner' key

KEYS = {
    # name: (access key id, secret, extra lines)
    'admin': ('AKIDADMIN', 'admin-secret', ''),
    'reader': ('AKIDREADER', 'reader-secret', 'policy_file = reader.json\n'),
    'denied': ('AKIDDENIED', 'denied-secret', 'policy_file = deny-delete.json\n'),
    'partner': ('AKIDPARTNER', 'partner-secret', 'account_id = %s\n' % OTHER),
    'temp': ('ASIATEMP', 'temp-secret', 'aws_session_token = the-session-token\n'),
}

POLICIES = {
    # Reads only: GetRecords yes, PutRecord no.
    'reader.json': {'Version': '2012-10-17', 'Statement': [{
        'Effect': 'Allow', 'Resource': '*',
        'Action': ['kinesis:Get*', 'kinesis:Describe*', 'kinesis:List*']}]},
    # Everything, but an explicit Deny on deleting streams wins.
    'deny-delete.json': {'Version': '2012-10-17', 'Statement': [
        {'Effect': 'Allow', 'Action': 'kinesis:*', 'Resource': '*'},
        {'Effect': 'Deny', 'Action': ['kinesis:DeleteStream', 'kinesis:SubscribeToShard'],
         'Resource': 'arn:aws:kinesis:*:*:stream/*'}]},
}


def write_credentials(folder, keys=None):
    """Writes FOLDER/credentials and the policy files; returns the credentials path."""
    keys = KEYS if keys is None else keys
    for name, policy in POLICIES.items():
        with open(os.path.join(folder, name), 'w') as f:
            json.dump(policy, f)
    path = os.path.join(folder, 'credentials')
    with open(path, 'w') as f:
        for name, (key, secret, extra) in keys.items():
            f.write('[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n%s\n' % (name, key, secret, extra))
    return path


class SecuredServer:
    """An in-memory riffle with these keys (--credentials) in account OWNER: .server, .credentials."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='riffle-sec-')
        self.credentials = write_credentials(self.dir)
        self.server = RiffleServer(in_memory=True, args=['--credentials', self.credentials,
                                                         '--account-id', OWNER]).start()

    def close(self):
        self.server.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def sign(host, port, target, body, content_type, key='AKIDADMIN', secret='admin-secret', token=None,
         region='us-east-1', offset_seconds=0, service='kinesis'):
    """Headers of a SigV4-signed POST / (signed as botocore signs: content-type, host, x-amz-*)."""
    now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset_seconds)
    amz_date, day = now.strftime('%Y%m%dT%H%M%SZ'), now.strftime('%Y%m%d')
    headers = {'content-type': content_type, 'host': '%s:%d' % (host, port), 'x-amz-date': amz_date,
               'x-amz-target': target}
    if token is not None:
        headers['x-amz-security-token'] = token
    signed = ';'.join(sorted(headers))
    canonical = '\n'.join(['POST', '/', ''] + ['%s:%s' % (k, headers[k]) for k in sorted(headers)] +
                          ['', signed, hashlib.sha256(body).hexdigest()])
    scope = '%s/%s/%s/aws4_request' % (day, region, service)
    to_sign = '\n'.join(['AWS4-HMAC-SHA256', amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    k = ('AWS4' + secret).encode()
    for part in (day, region, service, 'aws4_request'):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    headers['authorization'] = ('AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s'
                                % (key, scope, signed, signature))
    return headers


# The texts every client must show (AWS's; sources in src/protocol/sigv4_verifier.cc).
MISMATCH = ('The request signature we calculated does not match the signature you provided. Check your AWS Secret '
            'Access Key and signing method. Consult the service documentation for details.')
INVALID_TOKEN = 'The security token included in the request is invalid.'
MISSING = 'Missing Authentication Token'
