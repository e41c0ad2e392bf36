#!/usr/bin/env bash
# Warm pages from an external load generator (wrk), beside a static Go
# handler serving the same bytes in the same run. Needs wrk (Debian:
# apt-get install -y wrk). Arguments go to the program, e.g.
#   scripts/loadtest.sh -duration 10s -threads 2 -connections 32 -rounds 2
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
exec go run ./internal/loadtest "$@"
