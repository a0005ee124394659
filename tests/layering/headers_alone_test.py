#!/usr/bin/env python3
"""Every private header (engine/, mux/, lib/) compiles on its own.

A header that leans on what its includer happened to include first breaks the
day someone reorders includes. Each header is compiled as the only line of a
translation unit, with the project's include paths and warnings as errors.

usage: headers_alone_test.py SOURCE_ROOT COMPILER [ARGS...]
"""
import concurrent.futures
import os
import subprocess
import sys
import tempfile

FOLDERS = ('engine', 'mux', 'lib')
FLAGS = ['-std=c++20', '-Wall', '-Wextra', '-Wpedantic', '-Wno-missing-field-initializers', '-Werror',
         '-fsyntax-only']


def main():
    root = os.path.abspath(sys.argv[1])
    compiler = sys.argv[2:]
    headers = []
    for folder in FOLDERS:
        for dirpath, _, files in os.walk(os.path.join(root, folder)):
            headers += [os.path.relpath(os.path.join(dirpath, f), root) for f in files if f.endswith('.hpp')]
    headers.sort()
    if not headers:
        print('no headers found under %s' % ', '.join(FOLDERS))
        return 1
    failures = 0
    with tempfile.TemporaryDirectory(prefix='ringhttp-alone-') as tmp:
        def compile_one(h):
            src = os.path.join(tmp, h.replace('/', '_') + '.cpp')
            with open(src, 'w') as f:
                f.write('#include "%s"\n' % h)
            r = subprocess.run([*compiler, *FLAGS, '-I', root, '-I', os.path.join(root, 'include'), src],
                               capture_output=True, text=True)
            return h, r.returncode, r.stderr
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for h, rc, err in pool.map(compile_one, headers):
                ok = rc == 0 and not err.strip()
                print('%s %s compiles alone' % ('ok  ' if ok else 'FAIL', h), flush=True)
                if not ok:
                    failures += 1
                    print(err)
    print('%d passed, %d failed' % (len(headers) - failures, failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
