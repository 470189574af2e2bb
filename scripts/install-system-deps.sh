#!/usr/bin/env bash
# System packages the test suite needs: R with the oracle packages (survival, cmprsk, sandwich,
# nlme, metafor, mice, survey), headless Chromium (the report check), PostgreSQL (started by the
# tests as an unprivileged user on loopback) and a Java runtime for Spark's local mode.
# Installs only what is missing; needs root or sudo.
set -euo pipefail
R_PACKAGES=(survival MASS boot cmprsk sandwich nlme metafor mice survey)
need=()
probe=$(printf 'library(%s);' "${R_PACKAGES[@]}")
if ! { command -v Rscript >/dev/null 2>&1 && Rscript -e "$probe" >/dev/null 2>&1; }; then
  need+=(r-base-core)
  for p in "${R_PACKAGES[@]}"; do need+=("r-cran-$(echo "$p" | tr '[:upper:]' '[:lower:]')"); done
fi
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
{ command -v java >/dev/null 2>&1 && java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; } \
  || need+=(openjdk-17-jre-headless)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing system packages: ${need[*]}"
for attempt in 1 2 3; do  # a registry hiccup should not fail the suite
  if $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null; then
    exit 0
  fi
  echo "apt attempt $attempt failed; retrying" >&2
  sleep $((attempt * 10))
done
exit 1
