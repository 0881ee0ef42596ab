#!/bin/sh
# Runs as the root package's preinstall, before pnpm builds its dependencies (ADR 0140). The librdkafka Kafka
# client (@confluentinc/kafka-javascript, an optional dependency) has no prebuilt binary these machines can fetch,
# so the install builds it from the source its package ships, linked against Debian's libraries. This installs the
# compiler and the -dev packages it needs when they are missing, as root with apt-get. It never fails the install:
# where it cannot install them, the client's build fails or leaves features out, and the runners use kafkajs.
# SKIP_LIBRDKAFKA_BUILD_DEPS=1 skips it.
set -u

[ "${SKIP_LIBRDKAFKA_BUILD_DEPS:-}" = 1 ] && exit 0
command -v dpkg-query >/dev/null 2>&1 || exit 0

missing=""
for pkg in gcc g++ make python3 zlib1g-dev libssl-dev libzstd-dev liblz4-dev libsasl2-dev; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)
  [ "$status" = "install ok installed" ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

say() { echo "librdkafka build deps: $*" >&2; }
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  say "missing$missing; not root with apt-get, so the librdkafka client may not build (kafkajs is used then)"
  exit 0
fi
say "apt-get install$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # one word per package
if ! apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; then
  # A fresh image often has no package lists yet.
  apt-get update -q >/dev/null 2>&1
  apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 ||
    say "apt-get install failed; the librdkafka client may not build (kafkajs is used then)"
fi
exit 0
