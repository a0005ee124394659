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
    # bookworm-backports comes from the mirror this machine already uses for
    # bookworm itself: the first URI of a source whose suites include it.
    mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
        BEGIN { RS = ""; FS = "\n" }
        {
            uri = ""; suite = 0
            for (i = 1; i <= NF; i++) {
                if ($i ~ /^URIs:/) { split($i, w, /[ \t]+/); uri = w[2] }
                if ($i ~ /^Suites:/ && $i ~ /[ \t]bookworm([ \t]|$)/) suite = 1
            }
            if (suite && uri != "") { print uri; exit }
        }')
    if [ -z "$mirror" ]; then
        mirror=$(awk '$1 == "deb" { sub(/\[[^]]*\]/, ""); if ($3 == "bookworm") { print $2; exit } }' \
            /etc/apt/sources.list 2>/dev/null)
    fi
    if [ -z "$mirror" ]; then
        echo "setup-debian.sh: no bookworm source in /etc/apt/sources.list{,.d}; add bookworm-backports yourself" >&2
        exit 1
    fi
    cat > /etc/apt/sources.list.d/bookworm-backports.sources <<SOURCES
Types: deb
URIs: $mirror
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
