#!/usr/bin/env python3
"""Checks that each layer includes only what it may (DESIGN.md, "Layers").

core and store.h never include HTTP, JSON, CBOR or RocksDB headers; store
never includes protocol/net/handlers; protocol never includes core, store,
handlers or net; handlers never include net or RocksDB; the client library
(src/client) uses protocol only, and its installed headers
(include/riffle/kinesis/) include only the standard library and each other.
Exits non-zero and names every offending include.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / 'src'
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)

# layer folder -> include prefixes it must not use
FORBIDDEN = {
    'core': ['boost/', 'nghttp2', 'simdjson', 'rocksdb/', 'cbor', 'openssl/ssl', 'net/', 'protocol/', 'handlers/',
             'app/', 'store/rocksdb/', 'nats/', 'store/jetstream/'],
    'store': ['boost/', 'nghttp2', 'simdjson', 'net/', 'protocol/', 'handlers/', 'app/', 'core/'],
    'protocol': ['boost/', 'nghttp2', 'rocksdb/', 'net/', 'handlers/', 'app/', 'core/', 'store/'],
    'handlers': ['boost/', 'nghttp2', 'rocksdb/', 'net/', 'app/', 'store/rocksdb/'],
    'net': ['rocksdb/', 'store/rocksdb/', 'app/'],
}
# Include prefixes (only at the start: boost/beast/core/ is fine).
FORBIDDEN_PREFIXES = {
    'client': ['rocksdb/', 'core/', 'store/', 'handlers/', 'net/', 'app/'],
}
PUBLIC = ROOT.parent / 'include' / 'riffle' / 'kinesis'
# store.h itself (the interface) must not include RocksDB either; the shared
# codecs, the conformance suite, the memory store and the JetStream store include neither
# RocksDB nor the other store.
EXTRA = {ROOT / 'store' / 'store.h': ['rocksdb/', 'nats/']}
for folder in ('codec', 'conformance', 'jetstream', 'memory'):
    for path in (ROOT / 'store' / folder).rglob('*'):
        EXTRA[path] = ['rocksdb/', 'store/rocksdb/'] + (['nats/'] if folder != 'jetstream' else [])


def main():
    problems = []
    for layer, banned in FORBIDDEN.items():
        for path in sorted((ROOT / layer).rglob('*')):
            if path.suffix not in ('.h', '.cc') or path.name.endswith('_test.cc'):
                continue
            rules = list(banned)
            rules += EXTRA.get(path, [])
            for include in INCLUDE.findall(path.read_text()):
                if any(include.startswith(b) or b in include for b in rules):
                    problems.append(f'{path.relative_to(ROOT.parent)}: includes {include}')
    for layer, banned in FORBIDDEN_PREFIXES.items():
        for path in sorted((ROOT / layer).rglob('*')):
            if path.suffix not in ('.h', '.cc') or path.name.endswith('_test.cc'):
                continue
            for include in INCLUDE.findall(path.read_text()):
                if any(include.startswith(b) for b in banned):
                    problems.append(f'{path.relative_to(ROOT.parent)}: includes {include}')
    for path in sorted(PUBLIC.glob('*.h')):
        for include in INCLUDE.findall(path.read_text()):
            if '/' in include and not include.startswith('riffle/kinesis/'):
                problems.append(f'{path.relative_to(ROOT.parent)}: public header includes {include}')
    for p in problems:
        print(p)
    print(f'{len(problems)} layering violations')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
