#!/usr/bin/env python3
"""The layering rule, checked: every source file's includes against the table.

The table is the one docs/ARCHITECTURE.md shows (between the
`<!-- layers:begin -->` and `<!-- layers:end -->` markers), so the document
and the check cannot drift apart. Each row names a folder and what files in
it may include:

    | `engine/http1` | wire codecs, no I/O | public, base, http |

The words in the last column are layer names: `public` is include/ringhttp,
`std` the C++ and C libraries (always allowed), any other word a folder's
short name (its last path part: `base` is engine/base), or a third-party
library from LIBRARIES below (`liburing`, `boost`). A file may always include
files of its own folder.

Before checking the tree, the checker runs itself on a small planted tree with
a forbidden include, and fails if it does not catch it: a check that cannot
fail proves nothing.

usage: layering_test.py SOURCE_ROOT
"""
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
ROW = re.compile(r'^\|\s*`([^`]+)`\s*\|[^|]*\|\s*([^|]+?)\s*\|\s*$')

# Third-party headers, by the path prefix they are included with.
LIBRARIES = {
    'liburing': ('liburing.h', 'liburing/'),
    'boost': ('boost/',),
}


def read_table(architecture_md):
    """{folder: set of allowed layer names} from the marked table."""
    with open(architecture_md) as f:
        text = f.read()
    m = re.search(r'<!-- layers:begin -->(.*?)<!-- layers:end -->', text, re.S)
    if not m:
        raise SystemExit('%s: no layer table between <!-- layers:begin --> and <!-- layers:end -->'
                         % architecture_md)
    table = {}
    for line in m.group(1).splitlines():
        r = ROW.match(line.strip())
        if r:
            folder = r.group(1).strip().rstrip('/')
            allowed = {w.strip().strip('`') for w in r.group(2).split(',') if w.strip()}
            table[folder] = allowed
    if not table:
        raise SystemExit('%s: the layer table has no rows' % architecture_md)
    return table


def layer_of(path, table):
    """The table's folder that holds path (the longest match), or None."""
    best = None
    for folder in table:
        if path == folder or path.startswith(folder + '/'):
            if best is None or len(folder) > len(best):
                best = folder
    return best


def short(folder):
    return 'public' if folder == 'include/ringhttp' else folder.rsplit('/', 1)[-1]


def classify(include, quoted, table):
    """What an include names: ('layer', folder), ('library', name), ('std', None) or ('unknown', include)."""
    if include.startswith('ringhttp/'):
        return 'layer', 'include/ringhttp'
    for name, prefixes in LIBRARIES.items():
        if any(include == p or include.startswith(p) for p in prefixes):
            return 'library', name
    if quoted:
        folder = layer_of(include, table)
        if folder is not None:
            return 'layer', folder
        return 'unknown', include
    return 'std', None


def check_tree(root, table):
    """A list of 'file: includes X (layer Y), allowed: ...' lines."""
    problems = []
    for folder in sorted(table):
        top = os.path.join(root, folder)
        if not os.path.isdir(top):
            problems.append('%s: the table names it, but there is no such folder' % folder)
            continue
        for dirpath, _, files in os.walk(top):
            for name in sorted(files):
                if not name.endswith(('.hpp', '.cpp', '.h', '.cc')):
                    continue
                path = os.path.relpath(os.path.join(dirpath, name), root)
                own = layer_of(path, table)
                if own != folder:
                    continue  # a deeper folder of the table holds it
                allowed = table[own]
                with open(os.path.join(root, path), errors='replace') as f:
                    text = f.read()
                for m in INCLUDE.finditer(text):
                    kind, what = classify(m.group(2), m.group(1) == '"', table)
                    if kind == 'std':
                        continue
                    if kind == 'unknown':
                        problems.append('%s: includes "%s", which no layer of the table holds' % (path, what))
                        continue
                    name_ = what if kind == 'library' else short(what)
                    if kind == 'layer' and what == own:
                        continue
                    if name_ not in allowed:
                        problems.append('%s: includes %s (%s), but %s may include only: %s' %
                                        (path, m.group(2), name_, own, ', '.join(sorted(allowed)) or 'std'))
    return problems


def self_test():
    """The checker on a planted tree: one allowed include, one forbidden."""
    table = {'engine/base': set(), 'engine/http1': {'base', 'public'}, 'engine/ring': {'base', 'liburing'},
             'include/ringhttp': set()}
    with tempfile.TemporaryDirectory(prefix='ringhttp-layering-') as tmp:
        def put(path, text):
            os.makedirs(os.path.dirname(os.path.join(tmp, path)), exist_ok=True)
            with open(os.path.join(tmp, path), 'w') as f:
                f.write(text)
        put('engine/base/chars.hpp', '#include <cstddef>\n')
        put('include/ringhttp/x.hpp', '#include <string>\n')
        put('engine/ring/pool.hpp', '#include <liburing.h>\n#include "engine/base/chars.hpp"\n')
        put('engine/http1/parser.cpp', '#include <ringhttp/x.hpp>\n#include "engine/base/chars.hpp"\n')
        clean = check_tree(tmp, table)
        if clean:
            return ['self-test: a clean planted tree was flagged: %s' % clean]
        put('engine/http1/parser.cpp', '#include "engine/ring/pool.hpp"\n#include <liburing.h>\n')
        found = check_tree(tmp, table)
        want = ['engine/http1/parser.cpp: includes engine/ring/pool.hpp (ring)',
                'engine/http1/parser.cpp: includes liburing.h (liburing)']
        missing = [w for w in want if not any(p.startswith(w) for p in found)]
        if missing:
            return ['self-test: planted forbidden includes not caught: %s (found %s)' % (missing, found)]
    return []


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.')
    failures = self_test()
    print(('ok   ' if not failures else 'FAIL ') + 'the checker catches a planted forbidden include')
    table = read_table(os.path.join(root, 'docs', 'ARCHITECTURE.md'))
    problems = check_tree(root, table)
    for folder in sorted(table):
        mine = [p for p in problems if p.startswith(folder + '/') or p.startswith(folder + ':')]
        print(('ok   ' if not mine else 'FAIL ') + '%s includes only %s' %
              (folder, ', '.join(sorted(table[folder])) or 'std'))
        for p in mine:
            print('     ' + p)
    failed = len(failures) + sum(1 for folder in table
                                 if any(p.startswith(folder + '/') or p.startswith(folder + ':') for p in problems))
    for f in failures:
        print('     ' + f)
    print('%d passed, %d failed' % (len(table) + 1 - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
