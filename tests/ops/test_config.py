"""`riffle serve --config FILE`, RIFFLE_<FLAG> variables and --print-config (pip python3).

Run: RIFFLE_BIN=build/riffle python3 tests/ops/test_config.py -v
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from riffle_server import require_own_server  # noqa: E402


def run(args, env=None, config=None):
    """Runs `riffle serve ARGS` (with --config when `config` text is given); (code, stdout, stderr)."""
    binary = os.environ['RIFFLE_BIN']
    full_env = {k: v for k, v in os.environ.items() if not k.startswith('RIFFLE_')}
    full_env.update(env or {})
    cmd = [binary, 'serve'] + list(args)
    if config is not None:
        handle = tempfile.NamedTemporaryFile('w', suffix='.toml', delete=False)
        handle.write(config)
        handle.close()
        cmd += ['--config', handle.name]
    done = subprocess.run(cmd, env=full_env, capture_output=True, text=True, timeout=30)
    return done.returncode, done.stdout, done.stderr, (cmd[-1] if config is not None else None)


def effective(args=(), env=None, config=None):
    """The --print-config output as a dict of top-level key → value text."""
    code, out, err, _ = run(list(args) + ['--print-config'], env, config)
    assert code == 0, err
    values = {}
    for line in out.splitlines():
        if line.startswith('[[streams]]'):
            break
        match = re.match(r'^(\w+) = (.*)$', line)
        if match:
            values[match.group(1)] = match.group(2)
    return values, out


class Precedence(unittest.TestCase):
    def setUp(self):
        require_own_server(self)

    def test_default(self):
        values, _ = effective()
        self.assertEqual(values['port'], '4567')
        self.assertEqual(values['region'], '"us-east-1"')

    def test_file_over_default(self):
        values, _ = effective(config='port = 5000\nregion = "eu-west-1"\n')
        self.assertEqual(values['port'], '5000')
        self.assertEqual(values['region'], '"eu-west-1"')

    def test_environment_over_file(self):
        values, _ = effective(env={'RIFFLE_PORT': '6000'}, config='port = 5000\n')
        self.assertEqual(values['port'], '6000')

    def test_flag_over_environment_and_file(self):
        values, _ = effective(['--port', '7000'], env={'RIFFLE_PORT': '6000'}, config='port = 5000\n')
        self.assertEqual(values['port'], '7000')

    def test_config_file_from_environment(self):
        with tempfile.NamedTemporaryFile('w', suffix='.toml') as handle:
            handle.write('shard_limit = 9\n')
            handle.flush()
            values, _ = effective(env={'RIFFLE_CONFIG': handle.name})
        self.assertEqual(values['shard_limit'], '9')

    def test_every_kind_of_value(self):
        values, _ = effective(config='in_memory = true\nsync = "interval:50"\naccount = ["AKID=111111111111"]\n'
                                     'nats = ["nats://a:4222", "nats://b:4222"]\n',
                              env={'RIFFLE_ENFORCE_LIMITS': 'true', 'RIFFLE_INJECT_ERROR': 'PutRecord=0.5,*=0.1'})
        self.assertEqual(values['in_memory'], 'true')
        self.assertEqual(values['sync'], '"interval:50"')
        self.assertEqual(values['account'], '["AKID=111111111111"]')
        self.assertEqual(values['nats'], '["nats://a:4222", "nats://b:4222"]')
        self.assertEqual(values['enforce_limits'], 'true')
        self.assertEqual(values['inject_error'], '["PutRecord=0.5", "*=0.1"]')

    def test_secrets_masked(self):
        _, out = effective(env={'RIFFLE_NATS': 'nats://bob:hunter2@127.0.0.1:4222'})
        self.assertNotIn('hunter2', out)
        self.assertIn('nats = ["nats://bob:***@127.0.0.1:4222"]', out)

    def test_streams_from_file_and_environment(self):
        config = ('[[streams]]\nname = "orders"\nshards = 4\nretention_hours = 48\ntags = { team = "a" }\n'
                  'consumers = ["app"]\n\n[[streams]]\nname = "events"\nmode = "ON_DEMAND"\n')
        _, out = effective(config=config)
        self.assertIn('name = "orders"\nshards = 4\nretention_hours = 48\nconsumers = ["app"]\n'
                      'tags = { "team" = "a" }', out)
        self.assertIn('name = "events"\nmode = "ON_DEMAND"', out)
        # RIFFLE_STREAMS replaces the file's streams (environment over file).
        _, out = effective(env={'RIFFLE_STREAMS': 'clicks:2,views'}, config=config)
        self.assertNotIn('orders', out)
        self.assertIn('name = "clicks"\nshards = 2', out)
        self.assertIn('name = "views"\nshards = 1', out)


class Version(unittest.TestCase):
    def test_version(self):
        done = subprocess.run([os.environ['RIFFLE_BIN'], '--version'], capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 0)
        self.assertRegex(done.stdout, r'^riffle \d+\.\d+\.\d+ \(build [\w.-]+, \w+\)\n$')


class BadConfig(unittest.TestCase):
    """Each mistake stops start-up with one line naming the file, the line and the key."""

    def setUp(self):
        require_own_server(self)

    def assertRejected(self, config, line, key, why, env=None):
        code, out, err, path = run([], env, config)
        self.assertNotEqual(code, 0)
        self.assertEqual(out, '')
        self.assertEqual(err.count('\n'), 1, err)
        self.assertEqual(err, "riffle: %s:%d: key '%s': %s\n" % (path, line, key, why))

    def test_unknown_key(self):
        self.assertRejected('port = 1\n\nprot = 5000\n', 3, 'prot', 'unknown key')

    def test_wrong_types(self):
        self.assertRejected('port = "5000"\n', 1, 'port', 'must be an integer')
        self.assertRejected('host = 1\n', 1, 'host', 'must be a string')
        self.assertRejected('in_memory = "yes"\n', 1, 'in_memory', 'must be true or false')
        self.assertRejected('account = [1]\n', 1, 'account', 'must be a string or an array of strings')

    def test_bad_values(self):
        self.assertRejected('\nsync = "sometimes"\n', 2, 'sync', '--sync: must be always, never or interval:MS')
        self.assertRejected('log_level = "loud"\n', 1, 'log_level',
                            '--log-level: loud not in {trace,debug,info,warn,error,critical,off}')
        code, _, err, path = run([], None, 'nats_replicas = 9\n')
        self.assertNotEqual(code, 0)
        self.assertTrue(err.startswith("riffle: %s:1: key 'nats_replicas': " % path), err)

    def test_bad_streams(self):
        self.assertRejected('[[streams]]\nname = "bad name"\n', 2, 'streams.name',
                            "must be 1 to 128 of a-z A-Z 0-9 _ . - (got 'bad name')")
        self.assertRejected('[[streams]]\nname = "s"\nshards = 0\n', 3, 'streams.shards', 'must be from 1 to 10000')
        self.assertRejected('[[streams]]\nname = "s"\nmode = "FAST"\n', 3, 'streams.mode',
                            'must be PROVISIONED or ON_DEMAND')
        self.assertRejected('[[streams]]\nname = "s"\nretention_hours = 1\n', 3, 'streams.retention_hours',
                            'must be from 24 to 8760')
        self.assertRejected('[[streams]]\nname = "s"\nshard = 2\n', 3, 'streams.shard', 'unknown key')
        self.assertRejected('[[streams]]\nname = "s"\ntags = { a = 1 }\n', 3, 'streams.tags.a', 'must be a string')
        self.assertRejected('[[streams]]\nshards = 2\n', 1, 'streams.name', 'missing')

    def test_syntax_error(self):
        code, _, err, path = run([], None, 'port = 1\nhost = \n')
        self.assertNotEqual(code, 0)
        self.assertRegex(err, r'^riffle: %s:2: .+\n$' % re.escape(path))

    def test_missing_file(self):
        code, _, err, _ = run(['--config', '/nonexistent/riffle.toml'])
        self.assertNotEqual(code, 0)
        self.assertTrue(err.startswith('riffle: /nonexistent/riffle.toml'), err)

    def test_bad_environment(self):
        code, _, err, _ = run([], {'RIFFLE_PORT': 'abc'})
        self.assertNotEqual(code, 0)
        self.assertTrue(err.startswith('riffle: environment RIFFLE_PORT: '), err)
        code, _, err, _ = run([], {'RIFFLE_STREAMS': 'orders:many'})
        self.assertNotEqual(code, 0)
        self.assertEqual(err, "riffle: RIFFLE_STREAMS: 'orders:many': expected NAME:SHARDS or NAME:ON_DEMAND\n")


if __name__ == '__main__':
    unittest.main()
