#!/bin/bash
# bench/outputs: alert end-to-end latency from the syscall to a real rsyslog's receipt, over
# UDP, TCP and TLS, with the evidence store on and off (README.md here). As root, after make:
#   ALERTS=300 INTERVAL_MS=10 bench/outputs/run.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
exec /usr/bin/python3 "$HERE/latency.py"
