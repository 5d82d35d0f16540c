"""Running riffle-kinesis-probe (tests/client/probe.cc) from the Python
tests: JSON lines in, JSON lines out."""

import base64
import json
import os
import subprocess


def run(args, records=None, timeout=120, check=True):
    """Runs the probe with `records` (dicts with partition_key, data bytes
    and an optional explicit_hash_key) on stdin; returns (lines, stderr)."""
    lines = []
    for r in records or []:
        item = {'partition_key': r['partition_key'], 'data': base64.b64encode(r['data']).decode()}
        if r.get('explicit_hash_key') is not None:
            item['explicit_hash_key'] = r['explicit_hash_key']
        lines.append(json.dumps(item))
    result = subprocess.run([os.environ['RIFFLE_KINESIS_PROBE']] + list(args), input='\n'.join(lines) + '\n',
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError('probe %s failed (%d): %s' % (args[0], result.returncode, result.stderr[-2000:]))
    out = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    for item in out:
        if 'data' in item:
            item['data'] = base64.b64decode(item['data'])
    return out, result.stderr
