#!/usr/bin/env python3
"""Every public header compiles alone, warning-free, in user code.

A user builds with their own flags, not the project's (which quiet
-Wmissing-field-initializers for designated initializers). So each header under
include/ringhttp/ is compiled on its own, and a user's program that
instantiates the public templates (run_blocking with lvalue and rvalue
functions, make_handler, handle_func, serve_mux's handle_func, designated
server_options) is compiled too, with -Wall -Wextra -Wpedantic -Werror, at
C++20 and C++23, with the build's compiler and with clang++ when installed.

usage: public_headers_test.py INCLUDE_DIR COMPILER [ARGS...]
"""
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile

USER_PROGRAM = r'''
#include <ringhttp/ringhttp.hpp>
#include <ringhttp/blocking.hpp>
#include <ringhttp/cookie.hpp>
#include <ringhttp/response_controller.hpp>

#include <string>

namespace {
void hello(ringhttp::response_writer& w, ringhttp::request&) { w.write("hello\n"); }
}

int main() {
    // run_blocking: value and void results, rvalue and lvalue functions.
    int n = ringhttp::run_blocking([] { return 1; });
    auto named = [&n] { ++n; };
    ringhttp::run_blocking(named);
    std::string s = ringhttp::run_blocking([] { return std::string("x"); });
    ringhttp::handle_func("/", hello);
    auto mux = std::make_shared<ringhttp::serve_mux>();
    mux->handle_func("GET /x/{id}", [](ringhttp::response_writer& w, ringhttp::request& r) {
        w.write(r.path_value("id"));
    });
    auto h = ringhttp::make_handler([](ringhttp::response_writer& w, ringhttp::request&) { w.write("y"); });
    // Designated initializers name only what they set, as the README shows.
    ringhttp::server srv({.addr = ":0", .handler = h, .threads = 1});
    ringhttp::server other(ringhttp::server_options{.addr = ":0"});
    ringhttp::cookie c{.name = "id", .value = "1"};
    ringhttp::url u{.path = "/"};
    ringhttp::io_result r{.n = 1};
    ringhttp::hijacked_connection hc{.fd = -1};
    ringhttp::header_field f{.name = "A"};
    return n + static_cast<int>(s.size()) + (srv.options().threads == 1 ? 0 : 1) - 3 +
           static_cast<int>(c.name.size() + u.path.size() + r.n + f.name.size()) - 5 + hc.fd + 1 +
           (other.options().addr.empty() ? 1 : 0);
}
'''

FLAGS = ['-Wall', '-Wextra', '-Wpedantic', '-Werror', '-fsyntax-only']


def compile_one(compiler, std, include_dir, source_path, label):
    cmd = [*compiler, '-std=' + std, *FLAGS, '-I', include_dir, source_path]
    r = subprocess.run(cmd, capture_output=True, text=True)
    return label, std, ' '.join(compiler), r.returncode, r.stderr


def main():
    include_dir = os.path.abspath(sys.argv[1])
    compilers = [sys.argv[2:]]
    clang = shutil.which('clang++-14') or shutil.which('clang++')
    if clang and os.path.basename(compilers[0][0]) not in ('clang++', 'clang++-14'):
        compilers.append([clang])
    headers = sorted(f for f in os.listdir(os.path.join(include_dir, 'ringhttp')) if f.endswith('.hpp'))
    if not headers:
        print('no headers found under %s/ringhttp' % include_dir)
        return 1
    failures = 0
    with tempfile.TemporaryDirectory(prefix='ringhttp-headers-') as tmp:
        jobs = []
        for h in headers:
            path = os.path.join(tmp, h.replace('.hpp', '.cpp'))
            with open(path, 'w') as f:
                f.write('#include <ringhttp/%s>\n' % h)
            jobs.append((path, 'ringhttp/' + h))
        user = os.path.join(tmp, 'user_program.cpp')
        with open(user, 'w') as f:
            f.write(USER_PROGRAM)
        jobs.append((user, 'a user program instantiating the templates'))
        work = [(c, std, path, label) for c in compilers for std in ('c++20', 'c++2b') for path, label in jobs
                # Every header at C++20 with each compiler; the user program at C++23 too.
                if std == 'c++20' or path == user]
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            results = pool.map(lambda w: compile_one(w[0], w[1], include_dir, w[2], w[3]), work)
            for label, std, comp, rc, err in results:
                ok = rc == 0 and not err.strip()
                print('%s %s (-std=%s, %s)' % ('ok  ' if ok else 'FAIL', label, std, comp), flush=True)
                if not ok:
                    failures += 1
                    print(err)
    passed = len(work) - failures
    print('%d passed, %d failed' % (passed, failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
