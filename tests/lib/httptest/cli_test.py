#!/usr/bin/env python3
"""tools/ringhttp, the command-line server, driven as a user would: --help,
flag errors, serving --hello and --dir with curl, the access log, /metrics,
a timeout flag taking effect, and a graceful stop on SIGTERM with exit code 0.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

PROGRAM = sys.argv[1]
FAILURES = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what, flush=True)
    if not cond:
        FAILURES.append(what)


def curl(url, *extra):
    """Returns (status, body) of a GET with curl."""
    out = subprocess.run(['curl', '-sS', '--max-time', '20', '-o', '-', '-w', '\n%{http_code}', *extra, url],
                         capture_output=True, check=True).stdout.decode()
    body, _, code = out.rpartition('\n')
    return int(code), body


class cli:
    """Runs the program with args; the port comes from its startup line."""

    def __init__(self, *args, stdout=subprocess.DEVNULL):
        self.proc = subprocess.Popen([PROGRAM, '--addr', '127.0.0.1:0', '--threads', '1', *args],
                                     stdout=stdout, stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()
        m = re.search(r'\(port (\d+),', line)
        if not m:
            self.proc.kill()
            raise RuntimeError('no startup line: %r' % line)
        self.port = int(m.group(1))
        self.url = 'http://127.0.0.1:%d' % self.port

    def stop(self):
        """SIGTERM; returns (exit code, rest of stderr)."""
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=30)
        return rc, self.proc.stderr.read()


def test_help_and_errors():
    r = subprocess.run([PROGRAM, '--help'], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, '--help exits 0')
    for flag in ['--addr', '--threads', '--dir', '--hello', '--read-header-timeout', '--read-timeout',
                 '--write-timeout', '--idle-timeout', '--max-header-bytes', '--max-header-fields', '--pin-threads',
                 '--reuse-port', '--proxy-protocol', '--shutdown-timeout', '--access-log',
                 '--access-log-format', '--metrics', '--help']:
        check(flag in r.stdout, '--help lists ' + flag)
    for args, needle in [(['--bogus'], 'unknown flag --bogus'),
                         (['--read-timeout', '5x'], 'bad duration 5x'),
                         (['--idle-timeout=-1s'], 'bad duration -1s'),
                         (['--write-timeout', '10'], 'bad duration 10'),  # Go: missing unit
                         (['--read-timeout', '1.5.s'], 'bad duration 1.5.s'),
                         (['--threads', 'many'], 'not a thread count'),
                         (['--addr'], 'needs a value'),
                         (['--hello', '--dir', '/'], 'exclude each other'),
                         (['--dir', '/nonexistent-ringhttp-dir'], 'No such file or directory'),
                         (['--metrics', 'metrics'], 'starting with /'),
                         (['--access-log-format', 'json'], 'common or combined')]:
        r = subprocess.run([PROGRAM, *args], capture_output=True, text=True, timeout=30)
        check(r.returncode == 2 and needle in r.stderr, '%s: exit 2, says %r (got %d, %r)' %
              (' '.join(args), needle, r.returncode, r.stderr.strip()))
    r = subprocess.run([PROGRAM, '--idle-timeout=1h30m', '--read-timeout', '1.5s', '--write-timeout', '250ms',
                        '--help'], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, "Go's duration syntax is accepted (1h30m, 1.5s, 250ms)")
    r = subprocess.run([PROGRAM, '--addr', 'not-an-address'], capture_output=True, text=True, timeout=30)
    check(r.returncode == 1 and 'listen on not-an-address' in r.stderr, 'a bad --addr fails to listen, exit 1')
    # Go's words for a bad address (net.Listen's errors).
    for addr, needle in [('127.0.0.1:80x', 'unknown port'), ('127.0.0.1:99999', 'invalid port'),
                         ('127.0.0.1', 'missing port in address'),
                         ('no-such-host.invalid:8080', 'no such host')]:
        r = subprocess.run([PROGRAM, '--addr', addr], capture_output=True, text=True, timeout=30)
        check(r.returncode == 1 and needle in r.stderr, '--addr %s: exit 1, says %r (got %d, %r)' %
              (addr, needle, r.returncode, r.stderr.strip()))


def read_to_eof(c):
    """Everything the server sends on socket c until it closes; closes c."""
    got = b''
    while True:
        chunk = c.recv(4096)
        if not chunk:
            break
        got += chunk
    c.close()
    return got


def count_lines(path):
    try:
        with open(path) as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def get_new_connections(port, n):
    """n GETs to /, each on a new connection; returns how many got a 200."""
    ok = 0
    for _ in range(n):
        c = socket.create_connection(('127.0.0.1', port), timeout=10)
        c.sendall(b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        got = read_to_eof(c)
        ok += got.startswith(b'HTTP/1.1 200')
    return ok


def test_port_sharing(tmp):
    # As in Go, a second server on a port in use fails, even though every ring
    # listens with SO_REUSEPORT: it must not silently take part of the traffic.
    first = cli('--hello')
    try:
        second = subprocess.Popen([PROGRAM, '--addr', '127.0.0.1:%d' % first.port, '--threads', '1', '--hello'],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            rc = second.wait(timeout=10)
            err = second.stderr.read()
        except subprocess.TimeoutExpired:
            second.kill()
            second.wait()
            rc, err = None, 'still running: it shares the port'
        check(rc == 1 and 'Address already in use' in err,
              'a second process on the same port fails: address already in use (got %r, %r)' % (rc, err.strip()))
        check(get_new_connections(first.port, 20) == 20, 'the first process still serves every connection')
    finally:
        first.stop()
    # --reuse-port on both asks for sharing: the kernel spreads new connections.
    logs = [os.path.join(tmp, 'share-%d.log' % i) for i in range(2)]
    a = cli('--hello', '--reuse-port', '--access-log', logs[0])
    b = subprocess.Popen([PROGRAM, '--addr', '127.0.0.1:%d' % a.port, '--threads', '1', '--hello', '--reuse-port',
                          '--access-log', logs[1]], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        started = 'serving' in b.stderr.readline()
        check(started, '--reuse-port: a second process starts on the same port')
        served = get_new_connections(a.port, 40) if started else 0
        check(served == 40, '--reuse-port: 40 connections served (got %d)' % served)
    finally:
        b.send_signal(signal.SIGTERM)
        b.wait(timeout=30)
        a.stop()
    counts = [count_lines(p) for p in logs]
    check(sum(counts) == 40 and min(counts) > 0, '--reuse-port: both processes served some (%s)' % counts)


def test_default_threads():
    # --threads 0 counts the CPUs the process may run on, not the machine's.
    if len(os.sched_getaffinity(0)) < 2:
        print('skip default ring count: fewer than 2 CPUs allowed', flush=True)
        return
    cpu = min(os.sched_getaffinity(0))
    p = subprocess.Popen([PROGRAM, '--addr', '127.0.0.1:0', '--threads', '0', '--hello'],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: os.sched_setaffinity(0, {cpu}))
    try:
        line = p.stderr.readline()
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
    check(', 1 threads)' in line, 'pinned to one CPU (taskset), --threads 0 runs one ring (%r)' % line.strip())


def test_hello_log_metrics(tmp):
    log = os.path.join(tmp, 'access.log')
    s = cli('--hello', '--access-log', log, '--metrics', '/metrics', '--read-header-timeout=1s')
    try:
        check(curl(s.url + '/') == (200, 'Hello world!\n'), '--hello serves / ')
        check(curl(s.url + '/user/x', '-A', 'cli-test') == (200, 'Hello thinkerou!\n'), '--hello serves /user/x')
        check(curl(s.url + '/user')[0] == 301, '/user redirects to /user/')
        code, metrics = curl(s.url + '/metrics')
        check(code == 200, '/metrics answers 200')
        check('http_requests_total{code="200",method="GET"} 2\n' in metrics, '/metrics counts the two 200s')
        check('http_requests_total{code="301",method="GET"} 1\n' in metrics, '/metrics counts the 301')
        check('http_connections' in metrics, '/metrics has connection gauges')
        # --read-header-timeout=1s: a half-sent head gets 408 well before the 10 s default.
        c = socket.create_connection(('127.0.0.1', s.port))
        c.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n')
        c.settimeout(8)
        start = time.monotonic()
        got = b''
        try:
            while b'\r\n\r\n' not in got:
                chunk = c.recv(4096)
                if not chunk:
                    break
                got += chunk
        except socket.timeout:
            pass
        c.close()
        check(got.startswith(b'HTTP/1.1 408'), '--read-header-timeout applies (got %r after %.1fs)' %
              (got[:30], time.monotonic() - start))
    finally:
        rc, err = s.stop()
    check(rc == 0, 'SIGTERM exits 0 (got %d)' % rc)
    check('stopped' in err, 'says it stopped')
    with open(log) as f:
        lines = f.read().splitlines()
    check(any('"GET / HTTP/1.1" 200 13' in l for l in lines), 'access log has the GET / line')
    check(any('"GET /user/x HTTP/1.1" 200' in l and '"cli-test"' in l for l in lines),
          'access log is combined (has the User-Agent)')


def test_dir(tmp):
    root = os.path.join(tmp, 'site')
    os.makedirs(os.path.join(root, 'sub'))
    with open(os.path.join(root, 'a.txt'), 'w') as f:
        f.write('0123456789')
    s = cli('--dir', root, '--access-log', '-', '--access-log-format', 'common', stdout=subprocess.PIPE)
    try:
        check(curl(s.url + '/a.txt') == (200, '0123456789'), '--dir serves a file')
        check(curl(s.url + '/a.txt', '-r', '2-4') == (206, '234'), '--dir serves a range')
        code, listing = curl(s.url + '/')
        check(code == 200 and 'a.txt' in listing and 'sub/' in listing, '--dir lists the directory')
        check(curl(s.url + '/../../etc/passwd', '--path-as-is')[0] in (400, 404), 'no traversal out of --dir')
    finally:
        rc, _ = s.stop()
    check(rc == 0, 'SIGTERM exits 0 with --dir (got %d)' % rc)
    out = s.proc.stdout.read()
    check('"GET /a.txt HTTP/1.1" 200 10' in out, 'access log to stdout with --access-log -')
    check('cli-test' not in out and '"curl/' not in out, 'common format has no User-Agent')


def test_graceful_stop(tmp):
    """SIGTERM during a download: the download completes, new connections are refused."""
    root = os.path.join(tmp, 'big')
    os.makedirs(root)
    # Larger than what the loopback socket buffers hold, so the handler is
    # still sending when SIGTERM comes.
    data = os.urandom(24 << 20)
    with open(os.path.join(root, 'big.bin'), 'wb') as f:
        f.write(data)
    s = cli('--dir', root)
    c = socket.create_connection(('127.0.0.1', s.port))
    c.settimeout(30)
    c.sendall(b'GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n')
    got = b''
    while len(got) < (1 << 20):
        chunk = c.recv(1 << 16)
        if not chunk:
            break
        got += chunk
    s.proc.send_signal(signal.SIGTERM)
    refused = False
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            # A client already in the backlog is still served once; wait for the refusal.
            socket.create_connection(('127.0.0.1', s.port), timeout=5).close()
        except ConnectionRefusedError:
            refused = True
            break
        except ConnectionResetError:
            pass  # a connect racing the listener's close is reset by the kernel; try again
        time.sleep(0.05)
    check(refused, 'after SIGTERM new connections are refused')
    head, _, body = got.partition(b'\r\n\r\n')
    check(head.startswith(b'HTTP/1.1 200'), 'the download started with 200')
    while len(body) < len(data):
        chunk = c.recv(1 << 20)
        if not chunk:
            break
        body += chunk
    c.close()
    check(body == data, 'the download in flight completes intact (%d of %d bytes)' % (len(body), len(data)))
    rc, _ = s.stop()
    check(rc == 0, 'exit code 0 after the graceful stop (got %d)' % rc)


def test_header_limits():
    s = cli('--hello', '--max-header-fields', '5')
    try:
        many = ''.join('X-F%d: v\r\n' % i for i in range(10))
        c = socket.create_connection(('127.0.0.1', s.port))
        c.settimeout(20)
        c.sendall(('GET / HTTP/1.1\r\nHost: x\r\n%s\r\n' % many).encode())
        got = c.recv(4096)
        c.close()
        check(got.startswith(b'HTTP/1.1 431'), '--max-header-fields 5: ten fields get 431 (got %r)' % got[:20])
        check(curl(s.url + '/') == (200, 'Hello world!\n'), '--max-header-fields 5: curl still gets through')
    finally:
        rc, _ = s.stop()
    check(rc == 0, 'SIGTERM exits 0 (got %d)' % rc)


def test_proxy_protocol(tmp):
    log = os.path.join(tmp, 'proxied.log')
    s = cli('--hello', '--proxy-protocol', '--access-log', log)
    try:
        c = socket.create_connection(('127.0.0.1', s.port))
        c.settimeout(20)
        c.sendall(b'PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n'
                  b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        got = read_to_eof(c)
        check(got.startswith(b'HTTP/1.1 200') and got.endswith(b'Hello world!\n'),
              '--proxy-protocol serves a request behind a PROXY v1 header')
    finally:
        rc, _ = s.stop()
    check(rc == 0, 'SIGTERM exits 0 with --proxy-protocol (got %d)' % rc)
    with open(log) as f:
        check(f.read().startswith('203.0.113.7 '), 'the access log names the client the PROXY header gave')


def main():
    with tempfile.TemporaryDirectory(prefix='ringhttp-cli-') as tmp:
        test_help_and_errors()
        test_hello_log_metrics(tmp)
        test_dir(tmp)
        test_proxy_protocol(tmp)
        test_header_limits()
        test_port_sharing(tmp)
        test_default_threads()
        test_graceful_stop(tmp)
    if FAILURES:
        print('%d failed' % len(FAILURES))
        return 1
    print('all passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
