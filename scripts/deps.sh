#!/bin/sh
# Install, idempotently, everything vigil's build, tests and benchmarks need on Debian 12.
set -eu
pkgs="make gcc clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev pkg-config \
	runc busybox-static python3 python3-pytest iproute2 procps util-linux \
	libcurl4-openssl-dev libjson-c-dev libyaml-dev openssl python3-cryptography \
	libsqlite3-dev sqlite3 libssl-dev rsyslog rsyslog-openssl prometheus"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing; run 'make deps' as root" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
