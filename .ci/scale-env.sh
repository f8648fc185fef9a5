# Sourced by .ci/run and benchmarks/run: what holding 10,000 connections on virtual threads needs.
# Sets JAVA25_HOME to an installed JDK 25 when it is unset (these machines have Temurin 25 under
# /usr/lib/jvm; Debian does not package it), and raises the open file limit of this shell: a JVM
# holding 10,000 connections needs one descriptor each, plus its own.
if [ -z "${JAVA25_HOME:-}" ]; then
  for jdk in /usr/lib/jvm/*; do
    if [ -x "$jdk/bin/java" ] && grep -qs '^JAVA_VERSION="25' "$jdk/release"; then
      export JAVA25_HOME="$jdk"
      break
    fi
  done
fi
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 65536 ]; then
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi
