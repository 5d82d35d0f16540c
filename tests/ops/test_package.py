"""The Debian package (`make deb`, cmake/Packaging.cmake): built with cpack into a temporary
directory, inspected with dpkg-deb, unpacked, and its binary run with its own configuration
under the unit's hardening where this machine can impose it (pip python3 + boto3).

Run: RIFFLE_BIN=build/riffle RIFFLE_BUILD_DIR=build python3 tests/ops/test_package.py -v
"""

import ctypes
import glob
import gzip
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))

from kinesis_helpers import client, create_active  # noqa: E402

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
UNIT = 'lib/systemd/system/riffle.service'
CONFIG = 'etc/riffle/riffle.toml'
MAN_PAGE = 'usr/share/man/man1/riffle.1.gz'
BINARY = 'usr/bin/riffle'
# Every regular file of the package: the server, never libriffle-kinesis's headers or library.
EXPECTED_FILES = {BINARY, UNIT, CONFIG, MAN_PAGE} | {
    'usr/share/doc/riffle/' + name
    for name in ('README.md', 'configuration.md', 'operations.md', 'security.md', 'durability.md')}
PR_SET_MDWE, PR_GET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 66, 1


def run(cmd, **kw):
    """Runs cmd, fails with its output unless it exits 0; its stdout."""
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=kw.pop('timeout', 60), **kw)
    if done.returncode != 0:
        raise AssertionError('%s exited %d:\n%s%s' % (' '.join(cmd), done.returncode, done.stdout, done.stderr))
    return done.stdout


def project_version():
    with open(os.path.join(SOURCE_DIR, 'CMakeLists.txt')) as f:
        return re.search(r'project\(riffle VERSION (\d+\.\d+\.\d+)', f.read()).group(1)


def parse_unit(path):
    """The unit's sections as {section: {key: [values in order]}} (keys may repeat)."""
    sections, current = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(('#', ';')):
                continue
            if line.startswith('['):
                current = sections.setdefault(line.strip('[]'), {})
                continue
            key, _, value = line.partition('=')
            current.setdefault(key.strip(), []).append(value.strip())
    return sections


def syscall_groups():
    """systemd's syscall groups, expanded: {'@system-service': {'read', ...}, ...}."""
    out = run(['systemd-analyze', 'syscall-filter', '--no-pager'])
    members, current = {}, None
    for line in out.splitlines():
        if line.startswith('@'):
            current = members.setdefault(line.strip(), set())
        elif current is not None and line.strip() and not line.strip().startswith('#'):
            current.add(line.strip())

    def expand(name):
        if not name.startswith('@'):
            return {name}
        return set().union(*(expand(m) for m in members[name]))
    return expand


def mdwe_works():
    """True when this kernel refuses writable-and-executable memory to a process that asks
    (PR_SET_MDWE, Linux 6.3), inherited across execve: MemoryDenyWriteExecute= without systemd."""
    probe = ('import ctypes, sys; libc = ctypes.CDLL(None); '
             'sys.exit(0 if libc.prctl(%d, %d, 0, 0, 0) == 0 else 1)' % (PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN))
    check = 'import ctypes, sys; sys.exit(0 if ctypes.CDLL(None).prctl(%d, 0, 0, 0, 0) == 1 else 1)' % PR_GET_MDWE
    return (subprocess.run([sys.executable, '-c', probe], timeout=30).returncode == 0
            and subprocess.run([sys.executable, '-c', check], preexec_fn=deny_write_execute,
                               timeout=30).returncode == 0)


def deny_write_execute():
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), 'prctl(PR_SET_MDWE)')


class Package(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        build_dir = os.environ['RIFFLE_BUILD_DIR']
        cls.dir = tempfile.mkdtemp(prefix='riffle-package-')
        # Its own output directory, so that it never meets a `make deb` running beside it.
        run(['cpack', '--config', os.path.join(build_dir, 'CPackConfig.cmake'), '-G', 'DEB', '-B', cls.dir],
            timeout=120)
        debs = glob.glob(os.path.join(cls.dir, '*.deb'))
        assert len(debs) == 1, debs
        cls.deb = debs[0]
        cls.root = os.path.join(cls.dir, 'root')
        cls.control = os.path.join(cls.dir, 'control')
        run(['dpkg-deb', '-x', cls.deb, cls.root])
        run(['dpkg-deb', '-e', cls.deb, cls.control])
        cls.version = project_version()
        cls.arch = run(['dpkg', '--print-architecture']).strip()
        cls.binary = os.path.join(cls.root, BINARY)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def field(self, name):
        return run(['dpkg-deb', '--field', self.deb, name]).strip()

    def path(self, relative):
        return os.path.join(self.root, relative)

    # -- the package -----------------------------------------------------------------------

    def test_name_and_control_fields(self):
        self.assertEqual(os.path.basename(self.deb), 'riffle_%s_%s.deb' % (self.version, self.arch))
        self.assertEqual(self.field('Package'), 'riffle')
        self.assertEqual(self.field('Version'), self.version)
        self.assertEqual(self.field('Architecture'), self.arch)
        self.assertEqual(self.field('Section'), 'net')
        self.assertRegex(self.field('Maintainer'), r'^[^<>]+ <[^@<>]+@[^<>]+>$')
        description = self.field('Description').splitlines()
        self.assertIn('Kinesis', description[0])
        self.assertGreater(len(description), 2)
        self.assertTrue(all(len(line) < 80 for line in description), description)

    def test_depends_names_every_linked_library(self):
        depends = self.field('Depends')
        packages = {re.match(r'\s*([a-z0-9.+-]+)', d).group(1) for d in depends.split(',')}
        self.assertIn('adduser', packages)  # postinst's adduser
        needed = re.findall(r'\(NEEDED\)\s+Shared library: \[(.+?)\]', run(['readelf', '-d', self.binary]))
        self.assertIn('libc.so.6', needed)
        owners = run(['dpkg', '-S'] + ['*/' + soname for soname in needed])
        for soname in needed:
            providers = {package.split(':')[0] for line in owners.splitlines() if line.endswith('/' + soname)
                         for package in line.partition(': ')[0].split(', ')}
            # A package, or a name it Provides (libspdlog1.10 provides libspdlog1.10-fmt9).
            names = set(providers)
            for provider in providers:
                provides = run(['dpkg-query', '-W', '-f', '${Provides}', provider])
                names |= {re.match(r'\s*([a-z0-9.+-]+)', p).group(1) for p in provides.split(',') if p.strip()}
            self.assertTrue(names & packages, '%s (from %s) not in Depends: %s' % (soname, names, depends))

    def test_contents(self):
        listing = run(['dpkg-deb', '--contents', self.deb])
        files = {}
        for line in listing.splitlines():
            mode, owner, _size, _date, _time, name = line.split(None, 5)
            self.assertEqual(owner, 'root/root', line)
            if mode.startswith('-'):
                files[name[2:]] = mode  # './usr/bin/riffle'
        self.assertEqual(set(files), EXPECTED_FILES)
        self.assertEqual(files[BINARY], '-rwxr-xr-x')
        self.assertEqual(files[CONFIG], '-rw-r--r--')
        self.assertFalse([name for name in listing.split() if re.search(r'include/|\.so|\.a$|cmake|pkgconfig', name)])

    def test_binary_is_the_build_stripped(self):
        version = run([self.binary, '--version'])
        self.assertRegex(version, r'^riffle %s \(build [\w.-]+, \w+\)\n$' % re.escape(self.version))
        self.assertEqual(version, run([os.environ['RIFFLE_BIN'], '--version']))
        self.assertNotIn('.debug_info', run(['readelf', '-S', '-W', self.binary]))

    def test_conffiles_and_maintainer_scripts(self):
        with open(os.path.join(self.control, 'conffiles')) as f:
            self.assertEqual(f.read().split(), ['/' + CONFIG])
        unit_user = parse_unit(self.path(UNIT))['Service']['User'][0]
        for script in ('postinst', 'prerm', 'postrm'):
            path = os.path.join(self.control, script)
            self.assertTrue(os.access(path, os.X_OK), script)
            run(['sh', '-n', path])
        with open(os.path.join(self.control, 'postinst')) as f:
            postinst = f.read()
        self.assertRegex(postinst, r'adduser --system .*\n?.* %s\n' % unit_user)

    # -- the configuration ----------------------------------------------------------------

    def print_config(self, config_path):
        env = {k: v for k, v in os.environ.items() if not k.startswith('RIFFLE_')}
        return run([self.binary, 'serve', '--config', config_path, '--print-config'], env=env)

    def test_config_as_shipped(self):
        out = self.print_config(self.path(CONFIG))
        self.assertIn('\ndata_dir = "/var/lib/riffle"\n', out)
        self.assertIn('\nhost = "127.0.0.1"\n', out)
        self.assertIn('\nadmin_port = 9090\n', out)
        # The unit lets the service write its data dir (StateDirectory= is under /var/lib).
        state = parse_unit(self.path(UNIT))['Service']['StateDirectory'][0].split()
        self.assertIn('/var/lib/riffle', ['/var/lib/' + name for name in state])

    def test_config_examples_are_valid(self):
        """Each commented-out `# key = value` of the shipped file is a key the server accepts."""
        with open(self.path(CONFIG)) as f:
            text = f.read()
        examples = re.findall(r'^# ([a-z_]+ = .+)$', text, re.M)
        self.assertGreater(len(examples), 5)
        uncommented = re.sub(r'^# ([a-z_]+ = .+|\[\[streams\]\])$', r'\1', text, flags=re.M)
        path = os.path.join(self.dir, 'examples.toml')
        with open(path, 'w') as f:
            f.write(uncommented)
        out = self.print_config(path)
        for example in examples:
            key = example.split(' = ')[0]
            if key not in ('name', 'shards'):
                self.assertRegex(out, r'(?m)^%s = ' % key)
        self.assertIn('name = "orders"', out)

    # -- the man page ---------------------------------------------------------------------

    def test_man_page(self):
        with gzip.open(self.path(MAN_PAGE), 'rt') as f:
            roff = f.read()
        for section in ('NAME', 'SYNOPSIS', 'DESCRIPTION', 'CONFIGURATION', 'COMMANDS', 'SIGNALS', 'ENVIRONMENT',
                        'FILES', 'EXIT STATUS', 'SEE ALSO'):
            self.assertRegex(roff, r'(?m)^\.SH "?%s"?$' % section)
        self.assertRegex(roff, r'(?m)^\.TH RIFFLE 1 ')
        text = re.sub(r'\\f[BIRP]', '', roff.replace('\\-', '-'))  # no font changes
        # Every flag `riffle serve --help` shows is described, and every command.
        serve_help = run([self.binary, 'serve', '--help'])
        flags = set(re.findall(r'(?<![\w-])--[a-z][a-z0-9-]*', serve_help))
        self.assertGreater(len(flags), 40)
        self.assertEqual(sorted(f for f in flags if not re.search(r'(?<![\w-])%s(?![\w-])' % f, text)), [])
        commands = re.findall(r'(?m)^  ([a-z]+)  ', run([self.binary, '--help']).split('Subcommands:')[1])
        self.assertIn('serve', commands)
        for command in commands:
            self.assertRegex(text, r'(?m)^\.B riffle %s\b' % command, command)
        for signal_name in ('SIGTERM', 'SIGINT', 'SIGHUP'):
            self.assertIn(signal_name, text)
        self.assertIn('RIFFLE_CONFIG', text)
        if shutil.which('man'):
            done = subprocess.run(['man', '--warnings', '-E', 'UTF-8', '-l', self.path(MAN_PAGE)],
                                  capture_output=True, text=True, timeout=60,
                                  env=dict(os.environ, MANWIDTH='80', LC_ALL='C.UTF-8', MANPAGER='cat', PAGER='cat'))
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(done.stderr, '')
            self.assertRegex(done.stdout, r'NAME\s+riffle\s+-\s+a\s+streaming data server')

    # -- the unit -------------------------------------------------------------------------

    def test_unit_settings(self):
        unit = parse_unit(self.path(UNIT))
        service = {key: values[-1] for key, values in unit['Service'].items()}
        self.assertEqual(service['ExecStart'], '/usr/bin/riffle serve --config /etc/riffle/riffle.toml')
        self.assertEqual(service['Type'], 'simple')
        self.assertEqual(service['User'], 'riffle')
        self.assertEqual(service['KillSignal'], 'SIGTERM')
        self.assertEqual(service['Restart'], 'on-failure')
        self.assertGreaterEqual(int(service['LimitNOFILE']), 65536)
        self.assertRegex(service['TimeoutStopSec'], r'^\d+s?$')
        for key, value in {'ProtectSystem': 'strict', 'ProtectHome': 'yes', 'PrivateTmp': 'yes',
                           'PrivateDevices': 'yes', 'NoNewPrivileges': 'yes', 'CapabilityBoundingSet': '',
                           'LockPersonality': 'yes', 'MemoryDenyWriteExecute': 'yes', 'RestrictNamespaces': 'yes',
                           'ProtectKernelTunables': 'yes', 'ProtectKernelModules': 'yes',
                           'ProtectControlGroups': 'yes', 'RestrictSUIDSGID': 'yes'}.items():
            self.assertEqual(service.get(key), value, key)
        self.assertEqual(unit['Service']['SystemCallFilter'][0], '@system-service')
        self.assertEqual(set(service['RestrictAddressFamilies'].split()), {'AF_INET', 'AF_INET6', 'AF_UNIX'})
        self.assertEqual(unit['Install']['WantedBy'], ['multi-user.target'])

    def test_unit_verifies(self):
        """systemd-analyze verify finds nothing to say about the unit (its binary and its man page
        taken from the unpacked package), and rates its exposure OK."""
        if not shutil.which('systemd-analyze'):
            self.skipTest('systemd-analyze not installed')
        units = os.path.join(self.dir, 'units')
        os.makedirs(units, exist_ok=True)
        with open(self.path(UNIT)) as f:
            text = f.read()
        unit = os.path.join(units, 'riffle.service')
        with open(unit, 'w') as f:
            f.write(text.replace('ExecStart=/usr/bin/riffle ', 'ExecStart=%s ' % self.binary))
        env = dict(os.environ, MANPATH=os.path.join(self.root, 'usr/share/man'), SYSTEMD_PAGER='cat')
        done = subprocess.run(['systemd-analyze', 'verify', unit], capture_output=True, text=True, timeout=60,
                              env=env)
        # verify only warns about unknown keys and bad values: any output is a finding.
        self.assertEqual((done.returncode, done.stdout + done.stderr), (0, ''))
        # --threshold is in tenths: fail above an exposure of 2.0 (of 10).
        done = subprocess.run(['systemd-analyze', 'security', '--offline=yes', '--threshold=20', '--no-pager', unit],
                              capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(done.returncode, 0, done.stdout[-3000:] + done.stderr)
        self.assertRegex(done.stdout, r'Overall exposure level for riffle.service: 1\.\d OK')

    # -- the packaged server --------------------------------------------------------------

    def serve(self, wrapper=(), preexec_fn=None):
        """The packaged binary with the packaged config (data dir and ports made free), driven
        through a stream's life, a backup and SIGTERM; returns its stderr."""
        data_dir = tempfile.mkdtemp(prefix='data-', dir=self.dir)
        cmd = list(wrapper) + [self.binary, 'serve', '--config', self.path(CONFIG), '--data-dir', data_dir,
                               '--port', '0', '--admin-port', '0']
        env = {k: v for k, v in os.environ.items() if not k.startswith('RIFFLE_')}
        stderr = tempfile.TemporaryFile(dir=self.dir)
        self.addCleanup(stderr.close)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL, env=env,
                                preexec_fn=preexec_fn)
        try:
            lines = []
            reader = threading.Thread(target=lambda: [lines.append(proc.stdout.readline().decode())
                                                      for _ in range(2)], daemon=True)
            reader.start()
            reader.join(30)
            stderr.seek(0)
            self.assertEqual(len(lines), 2, 'no ready lines: %r; stderr: %s' % (lines, stderr.read().decode()))
            endpoint = re.match(r'^Riffle ready at (http://127\.0\.0\.1:\d+)\n$', lines[0]).group(1)
            admin = re.match(r'^Riffle admin at (http://127\.0\.0\.1:\d+)\n$', lines[1]).group(1)

            kin = client(endpoint)
            create_active(kin, 'orders', shards=2)
            put = kin.put_records(StreamName='orders', Records=[
                {'Data': b'record-%d' % i, 'PartitionKey': 'key-%d' % i} for i in range(20)])
            self.assertEqual(put['FailedRecordCount'], 0)
            got = []
            for shard in ('shardId-000000000000', 'shardId-000000000001'):
                iterator = kin.get_shard_iterator(StreamName='orders', ShardId=shard,
                                                  ShardIteratorType='TRIM_HORIZON')['ShardIterator']
                got += [r['Data'] for r in kin.get_records(ShardIterator=iterator)['Records']]
            self.assertEqual(sorted(got), sorted(b'record-%d' % i for i in range(20)))
            self.assertEqual(kin.list_streams()['StreamNames'], ['orders'])
            with urllib.request.urlopen(admin + '/health/ready', timeout=10) as response:
                self.assertEqual(response.status, 200)
            with urllib.request.urlopen(admin + '/metrics', timeout=10) as response:
                self.assertIn(b'riffle_build_info{', response.read())
            backup_dir = os.path.join(self.dir, 'backup-%d' % proc.pid)
            run([self.binary, 'backup', '--admin', admin, '--out', backup_dir])
            self.assertTrue(os.path.exists(os.path.join(backup_dir, 'CURRENT')))

            # SIGTERM to the server itself (under a wrapper, its only child).
            pid = proc.pid
            if wrapper:
                with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
                    pid = int(f.read().split()[0])
            os.kill(pid, signal.SIGTERM)
            self.assertEqual(proc.wait(30), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
            proc.stdout.close()
        stderr.seek(0)
        return stderr.read().decode()

    def test_serves_with_its_config(self):
        """Serves, backs up and stops cleanly; where the kernel can refuse writable-executable
        memory (as MemoryDenyWriteExecute= does), with it refused."""
        log = self.serve(preexec_fn=deny_write_execute if mdwe_works() else None)
        self.assertIn('stopped', log)

    def test_system_calls_within_the_unit_filter(self):
        """Every system call the server makes (traced through the same workload) is one that the
        unit's SystemCallFilter= allows, every socket of a family RestrictAddressFamilies= allows."""
        if not shutil.which('strace') or not shutil.which('systemd-analyze'):
            self.skipTest('needs strace and systemd-analyze')
        if subprocess.run(['strace', '-qq', '-o', '/dev/null', 'true'], capture_output=True).returncode != 0:
            self.skipTest('strace cannot trace here (ptrace not permitted)')
        trace = os.path.join(self.dir, 'strace.log')
        self.serve(wrapper=['strace', '-f', '-qq', '-o', trace])
        called, families = set(), set()
        with open(trace) as f:
            for line in f:
                match = re.match(r'^\d+\s+([a-z0-9_]+)\(', line)
                if match:
                    called.add(match.group(1))
                families.update(re.findall(r'\bsocket\((AF_\w+)', line))
        self.assertIn('fdatasync', called)  # the trace covers the store's writes
        self.assertIn('accept', ' '.join(called))

        service = parse_unit(self.path(UNIT))['Service']
        expand = syscall_groups()
        allowed, denied = set(), set()
        for value in service['SystemCallFilter']:
            target = denied if value.startswith('~') else allowed
            for name in value.lstrip('~').split():
                target |= expand(name)
        self.assertEqual(sorted(called - (allowed - denied)), [])
        self.assertTrue(families)
        self.assertEqual(families - set(service['RestrictAddressFamilies'][-1].split()), set())


if __name__ == '__main__':
    unittest.main()
