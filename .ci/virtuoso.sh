#!/usr/bin/env bash
# Install Debian's Virtuoso (the second real triple store of tests/test_endpoint.py)
# when it is missing. The tests start their own server on 127.0.0.1 from a copy
# of the stock virtuoso.ini (see tests/conftest.py); nothing is started here.
set -euo pipefail

if command -v virtuoso-t >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq virtuoso-opensource >/dev/null
command -v virtuoso-t >/dev/null
