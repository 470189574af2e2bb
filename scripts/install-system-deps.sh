#!/usr/bin/env bash
# System packages the test suite needs: R with survival (the validation oracle) and headless
# Chromium (the report check). Installs only what is missing; needs root or sudo.
set -euo pipefail
need=()
command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(survival); library(MASS); library(boot)' >/dev/null 2>&1 || need+=(r-base-core r-cran-survival r-cran-mass r-cran-boot)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
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
