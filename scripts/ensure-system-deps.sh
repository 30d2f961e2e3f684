#!/usr/bin/env bash
# Runs before `npm test`: the suite uses real components (Chromium, bubblewrap, a Secret
# Service on a private D-Bus, a pty …). Finds the Debian packages that are missing and
# installs them when it can (root with apt-get), or stops with the one command to run.
set -euo pipefail

# package:command-that-proves-it-is-installed
required=(
  "chromium:chromium"
  "xvfb:Xvfb"
  "bubblewrap:bwrap"
  "socat:socat"
  "ripgrep:rg"
  "gnome-keyring:gnome-keyring-daemon"
  "libsecret-tools:secret-tool"
  "dbus:dbus-run-session"
)

missing=()
for entry in "${required[@]}"; do
  package=${entry%%:*}
  command=${entry##*:}
  command -v "$command" >/dev/null 2>&1 || missing+=("$package")
done

[ ${#missing[@]} -eq 0 ] && exit 0

install_command="apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages the tests need: ${missing[*]}"
  bash -c "$install_command" >/dev/null
  exit 0
fi
echo "The tests need these system packages: ${missing[*]}. Install them with:" >&2
echo "  sudo bash -c '$install_command'" >&2
exit 1
