#!/usr/bin/env python3
"""The installed library works out of tree.

pkgconfig: `meson install --destdir` of the test's own build directory into a
temporary directory, then a small program (consumer.cpp) compiled with
`pkg-config --cflags --libs ringhttp` against what was installed, run, and
curled; SIGTERM stops it with exit code 0.

subproject: a temporary meson project with subprojects/ringhttp symlinked to
the source tree finds ringhttp with dependency('ringhttp'); it is configured
always, and built, run and curled when RINGHTTP_SUBPROJECT_BUILD=1 (it
compiles ringhttp once more, which takes minutes).
"""
import argparse
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, **kw):
    print('+', ' '.join(cmd), flush=True)
    return subprocess.run(cmd, check=True, **kw)


def serve_and_curl(program):
    """Runs program, curls /hello/{name} on the port it prints, then SIGTERMs it."""
    proc = subprocess.Popen([program], stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())
        url = 'http://127.0.0.1:%d/hello/installed' % port
        out = subprocess.run(['curl', '-sS', '--max-time', '20', '-i', url],
                             check=True, capture_output=True).stdout.decode()
        print(out, flush=True)
        head, _, body = out.partition('\r\n\r\n')
        assert head.startswith('HTTP/1.1 200'), head
        assert body == 'hello, installed\n', repr(body)
        missing = subprocess.run(['curl', '-sS', '--max-time', '20', '-o', '/dev/null', '-w', '%{http_code}',
                                  'http://127.0.0.1:%d/nope' % port], check=True, capture_output=True, text=True)
        assert missing.stdout == '404', missing.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=30)
    assert rc == 0, 'exit code %d after SIGTERM' % rc


def test_pkgconfig(build_root, version, sanitize, tmp):
    dest = os.path.join(tmp, 'dest')
    run(['meson', 'install', '-C', build_root, '--no-rebuild', '--quiet', '--destdir', dest])
    pcs = glob.glob(os.path.join(dest, '**', 'pkgconfig', 'ringhttp.pc'), recursive=True)
    assert len(pcs) == 1, pcs
    headers = glob.glob(os.path.join(dest, '**', 'include', 'ringhttp', 'ringhttp.hpp'), recursive=True)
    assert len(headers) == 1, headers
    libs = glob.glob(os.path.join(dest, '**', 'libringhttp.*'), recursive=True)
    assert libs, 'no libringhttp installed'
    env = dict(os.environ)
    env['PKG_CONFIG_PATH'] = os.path.dirname(pcs[0])
    # The .pc names the real prefix; the sysroot maps it into the destdir.
    env['PKG_CONFIG_SYSROOT_DIR'] = dest
    got = run(['pkg-config', '--modversion', 'ringhttp'], env=env, capture_output=True, text=True).stdout.strip()
    assert got == version, (got, version)
    flags = run(['pkg-config', '--cflags', '--libs', 'ringhttp'], env=env, capture_output=True,
                text=True).stdout.split()
    print('pkg-config --cflags --libs ringhttp:', ' '.join(flags), flush=True)
    # The program must see the installed headers, not the source tree's.
    assert any(f.startswith('-I' + dest) for f in flags), flags
    # Every installed header compiles from the installed tree alone (none
    # reaches for engine/ or mux/ sources that are not installed).
    include_dir = os.path.dirname(os.path.dirname(headers[0]))
    every = os.path.join(tmp, 'every_header.cpp')
    with open(every, 'w') as f:
        for h in sorted(glob.glob(os.path.join(include_dir, 'ringhttp', '**', '*.hpp'), recursive=True)):
            f.write('#include <%s>\n' % os.path.relpath(h, include_dir))
    cflags = [f for f in flags if not f.startswith(('-L', '-l', '/'))]
    run([os.environ.get('CXX', 'c++'), '-fsyntax-only', '-Wall', every] + cflags, env=env)
    program = os.path.join(tmp, 'consumer')
    cxx = os.environ.get('CXX', 'c++')
    # A sanitized build installs a sanitized library, which needs its runtime.
    extra = [] if sanitize in ('', 'none') else ['-fsanitize=' + sanitize]
    run([cxx, '-O1', os.path.join(HERE, 'consumer.cpp'), '-o', program] + extra + flags, env=env)
    serve_and_curl(program)


def test_subproject(source_root, tmp):
    proj = os.path.join(tmp, 'subproject')
    os.makedirs(os.path.join(proj, 'subprojects'))
    os.symlink(source_root, os.path.join(proj, 'subprojects', 'ringhttp'))
    shutil.copy(os.path.join(HERE, 'consumer.cpp'), proj)
    with open(os.path.join(proj, 'meson.build'), 'w') as f:
        f.write("""project('consumer', 'cpp', default_options: ['cpp_std=c++20'])
subproject('ringhttp', default_options: ['tests=false', 'benchmarks=false'])
executable('consumer', 'consumer.cpp', dependencies: dependency('ringhttp'))
""")
    build = os.path.join(proj, 'build')
    run(['meson', 'setup', build, proj, '--buildtype=debugoptimized'], stdout=subprocess.DEVNULL)
    if os.environ.get('RINGHTTP_SUBPROJECT_BUILD') != '1':
        print('subproject: configured; set RINGHTTP_SUBPROJECT_BUILD=1 to build and run it', flush=True)
        return
    run(['ninja', '-C', build, '-j' + os.environ.get('RINGHTTP_SUBPROJECT_JOBS', '1'), 'consumer'],
        stdout=subprocess.DEVNULL)
    serve_and_curl(os.path.join(build, 'consumer'))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build-root', required=True)
    ap.add_argument('--source-root', required=True)
    ap.add_argument('--version', required=True)
    ap.add_argument('--sanitize', default='none', help="the build's b_sanitize: the program must link the same runtime")
    ap.add_argument('what', choices=['pkgconfig', 'subproject'])
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix='ringhttp-install-')
    try:
        if args.what == 'pkgconfig':
            test_pkgconfig(args.build_root, args.version, args.sanitize, tmp)
        else:
            test_subproject(args.source_root, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('ok', flush=True)


if __name__ == '__main__':
    sys.exit(main())
