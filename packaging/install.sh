#!/usr/bin/env bash
# Installs Chowder from this archive: /opt/chowder/{bin,lib}, /etc/chowder/chowder.env (kept when it exists),
# /etc/systemd/system/chowder.service (and the provisioner drop-in beside it, not enabled), and the system user
# `chowder`. --root DIR installs under DIR instead of / (for packaging and tests; no user is created then).
#   sudo ./install.sh && sudoedit /etc/chowder/chowder.env && sudo systemctl enable --now chowder
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root=/
while [[ $# -gt 0 ]]; do
  case "$1" in
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
root="${root%/}"
if [[ -z "$root" && "$(id -u)" -ne 0 ]]; then
  echo "install.sh: installing into / needs root (sudo ./install.sh), or give --root DIR" >&2
  exit 1
fi

install -d -m 755 "$root/opt/chowder/bin" "$root/opt/chowder/lib" "$root/opt/chowder/docs" "$root/etc/chowder" \
  "$root/etc/systemd/system/chowder.service.d"
install -m 755 "$here/bin/chowder" "$root/opt/chowder/bin/chowder"
install -m 644 "$here/lib/chowder.jar" "$root/opt/chowder/lib/chowder.jar"
install -m 644 "$here/systemd/chowder.service" "$root/etc/systemd/system/chowder.service"
install -m 644 "$here/systemd/chowder-provisioner.conf" "$root/opt/chowder/lib/chowder-provisioner.conf"
install -m 644 "$here"/docs/*.md "$root/opt/chowder/docs/"
if [[ ! -e "$root/etc/chowder/chowder.env" ]]; then
  install -m 640 "$here/etc/chowder.env" "$root/etc/chowder/chowder.env"
else
  echo "install.sh: kept the existing $root/etc/chowder/chowder.env" >&2
  chmod 640 "$root/etc/chowder/chowder.env"
fi
if [[ -z "$root" ]]; then
  if ! getent passwd chowder > /dev/null; then
    command -v useradd > /dev/null || { echo "install.sh: no useradd here: create a system user and group chowder, then rerun" >&2; exit 1; }
    if getent group chowder > /dev/null; then
      useradd --system --gid chowder --home-dir /var/lib/chowder --no-create-home --shell /usr/sbin/nologin chowder
    else
      useradd --system --user-group --home-dir /var/lib/chowder --no-create-home --shell /usr/sbin/nologin chowder
    fi
  fi
  chgrp chowder /etc/chowder/chowder.env
  if command -v systemctl > /dev/null && [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload
  fi
fi
echo "Installed $("$root/opt/chowder/bin/chowder" --version) under ${root:-/}"
echo "Next: edit $root/etc/chowder/chowder.env, then: systemctl enable --now chowder"
echo "For provisioned instances: cp $root/opt/chowder/lib/chowder-provisioner.conf $root/etc/systemd/system/chowder.service.d/provisioner.conf"
