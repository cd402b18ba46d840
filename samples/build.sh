#!/bin/sh
# Builds the sample guest programs into ${OUT:-/tmp/useremu-samples}: static glibc, static-pie, dynamic, and musl
# where musl-gcc is installed. Run them with: src/UserEmu/bin/Release/net10.0/useremu /tmp/useremu-samples/hello-static a b
set -eu
cd "$(dirname "$0")"
OUT=${OUT:-/tmp/useremu-samples}
mkdir -p "$OUT"
gcc -static -nostdlib -o "$OUT/exit42" exit42.s
for src in *.c; do
  name=${src%.c}
  gcc -O2 -static -o "$OUT/$name-static" "$src" -lm
  gcc -O2 -static-pie -fPIE -o "$OUT/$name-static-pie" "$src" -lm
  gcc -O2 -o "$OUT/$name-dynamic" "$src" -lm
  if command -v musl-gcc >/dev/null 2>&1; then musl-gcc -O2 -static -o "$OUT/$name-musl" "$src" -lm; fi
done
g++ -O2 -static -o "$OUT/cxx-static" cxx.cpp
g++ -O2 -o "$OUT/cxx-dynamic" cxx.cpp
echo "built into $OUT"
