#!/usr/bin/env python3
"""Checks that each layer includes only what it may (DESIGN.md, "Layers").

core and store.h never include HTTP, JSON, CBOR or RocksDB headers; store
never includes protocol/net/handlers; protocol never includes core, store,
handlers or net; handlers never include net or RocksDB. Exits non-zero and
names every offending include.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / 'src'
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)

# layer folder -> include prefixes it must not use
FORBIDDEN = {
    'core': ['boost/', 'nghttp2', 'simdjson', 'rocksdb/', 'cbor', 'openssl/ssl', 'net/', 'protocol/', 'handlers/',
             'app/', 'store/rocksdb/'],
    'store': ['boost/', 'nghttp2', 'simdjson', 'net/', 'protocol/', 'handlers/', 'app/', 'core/'],
    'protocol': ['boost/', 'nghttp2', 'rocksdb/', 'net/', 'handlers/', 'app/', 'core/', 'store/'],
    'handlers': ['boost/', 'nghttp2', 'rocksdb/', 'net/', 'app/', 'store/rocksdb/'],
    'net': ['rocksdb/', 'store/rocksdb/', 'app/'],
}
# store.h itself (the interface) must not include RocksDB either.
EXTRA = {ROOT / 'store' / 'store.h': ['rocksdb/']}


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
    for p in problems:
        print(p)
    print(f'{len(problems)} layering violations')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
