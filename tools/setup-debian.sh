#!/bin/sh
# Installs what ringhttp needs to build, test and benchmark on Debian 12
# (bookworm), as root. Catch2 v3 and Go 1.23 come from bookworm-backports,
# which this script adds when it is missing. Does nothing when all is there.
set -eu

packages="g++ meson ninja-build pkg-config liburing-dev libmimalloc-dev libboost-context-dev
libbenchmark-dev catch2 golang-1.23-go python3 curl wrk
clang-14 libclang-rt-14-dev haproxy slowhttptest"
backports="catch2 golang-1.23-go"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Catch2 must be v3: bookworm itself only has v2.
if dpkg-query -W -f='${Version}' catch2 2>/dev/null | grep -q '^2\.'; then missing="$missing catch2"; fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "setup-debian.sh: missing packages:$missing; run as root to install them" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    cat > /etc/apt/sources.list.d/bookworm-backports.sources <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
fi
apt-get update -q
regular=""
from_backports=""
for p in $missing; do
    case " $backports " in
        *" $p "*) from_backports="$from_backports $p" ;;
        *) regular="$regular $p" ;;
    esac
done
[ -n "$regular" ] && apt-get install -y -q --no-install-recommends $regular
[ -n "$from_backports" ] && apt-get install -y -q --no-install-recommends -t bookworm-backports $from_backports
exit 0
