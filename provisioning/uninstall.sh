#!/usr/bin/env bash
# Removes HASN from this host; keeps configuration, credentials and data unless --purge. See provisioning/README.md.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
PROG=hasn-uninstall
. "$SCRIPT_DIR/lib/common.sh"
. "$SCRIPT_DIR/lib/boot-config.sh"
. "$SCRIPT_DIR/lib/node.sh"
trap 'remember_error "$LINENO" "$BASH_COMMAND"' ERR
trap on_exit EXIT

readonly UNITS=(hasn-agent hasn-fleet)

usage() {
  cat <<'EOF'
Usage: uninstall.sh [--purge] [--dry-run] [--root DIR]

Stops and disables the HASN units, removes them and /opt/hasn. Keeps /etc/hasn (configuration, credentials),
/var/lib/hasn (data), the hasn user and the boot configuration, so a later install.sh picks up where it left.

  --purge      also remove /etc/hasn, /var/lib/hasn, /var/lib/hasn-fleet, the hasn user and the groups,
               boot settings and NodeSource repository that install.sh added (Node.js itself stays)
  --dry-run    print the plan; change nothing
  --root DIR   operate on DIR instead of /
  -h, --help   this help

Exit codes: 0 done, 1 unexpected failure, 2 usage, 3 precondition (root, tools), 6 system (users, systemd).
EOF
}

PURGE=0
ROOT_ARG=/

parse_args() {
  while [ $# -gt 0 ]; do
    if [[ $1 == --*=* ]]; then set -- "${1%%=*}" "${1#*=}" "${@:2}"; fi
    case $1 in
      -h | --help) usage; exit "$EXIT_OK" ;;
      --purge) PURGE=1 ;;
      --dry-run) DRY_RUN=1 ;;
      --root)
        [ $# -ge 2 ] || die "$EXIT_USAGE" "--root needs a value" "see uninstall.sh --help"
        ROOT_ARG=$2
        shift
        ;;
      *) die "$EXIT_USAGE" "unknown option: $1" "see uninstall.sh --help" ;;
    esac
    shift
  done
}

remove_units() {
  local unit systemctl_root=() removed=0
  is_live_root || systemctl_root=(--root="$ROOT")
  for unit in "${UNITS[@]}"; do
    if [ ! -e "$R/etc/systemd/system/$unit.service" ] && [ ! -L "$R/etc/systemd/system/multi-user.target.wants/$unit.service" ]; then
      continue
    fi
    if is_live_root; then
      change "stop and disable $unit.service" systemctl disable --now "$unit.service" ||
        die "$EXIT_SYSTEM" "systemctl disable --now $unit.service failed" "stop it by hand (systemctl stop $unit) and re-run"
    else
      change "disable $unit.service" systemctl "${systemctl_root[@]}" disable "$unit.service" ||
        die "$EXIT_SYSTEM" "systemctl --root disable $unit.service failed" "remove $R/etc/systemd/system/*.wants/$unit.service by hand and re-run"
    fi
    remove_path "/etc/systemd/system/$unit.service"
    removed=1
  done
  if is_live_root && [ "$removed" = 1 ]; then
    change "reload systemd (systemctl daemon-reload)" systemctl daemon-reload ||
      die "$EXIT_SYSTEM" "systemctl daemon-reload failed" "run it by hand"
  fi
}

remove_boot_block() {
  local file=$R$BOOT_CONFIG
  [ -f "$file" ] || return 0
  boot_without_block "$file" >"$WORK/config.txt"
  if ! cmp -s "$WORK/config.txt" "$file"; then
    change "remove the HASN block from $BOOT_CONFIG (reboot to apply)" put_content "$WORK/config.txt" "$file"
  fi
  remove_path /etc/modules-load.d/hasn.conf
}

purge() {
  local shadow_root=() item
  is_live_root || shadow_root=(--prefix "$ROOT")
  # Read what install.sh created before /etc/hasn (which holds that record) goes.
  local created=()
  if [ -f "$R$INSTALL_RECORD" ]; then mapfile -t created <"$R$INSTALL_RECORD"; fi
  remove_path /var/lib/hasn "data"
  remove_path /var/lib/hasn-fleet "controller data"
  remove_path /etc/hasn "configuration and credentials"
  remove_boot_block
  for item in "${created[@]}"; do
    case $item in
      nodesource-repo)
        remove_path "$NODESOURCE_SOURCES"
        remove_path "$NODESOURCE_PREFERENCES"
        remove_path "$NODESOURCE_KEYRING"
        say "Node.js stays installed (remove it with apt-get purge nodejs if nothing else needs it)"
        ;;
    esac
  done
  for item in "${created[@]}"; do
    if [[ $item == "user "* ]] && user_exists "${item#user }"; then
      change "remove system user ${item#user }" userdel "${shadow_root[@]}" "${item#user }" ||
        die "$EXIT_SYSTEM" "userdel ${item#user } failed" "stop its processes (ps -u ${item#user }) and re-run"
    fi
  done
  for item in "${created[@]}"; do
    if [[ $item == "group "* ]] && group_exists "${item#group }"; then
      change "remove system group ${item#group }" groupdel "${shadow_root[@]}" "${item#group }" ||
        die "$EXIT_SYSTEM" "groupdel ${item#group } failed" "remove the group by hand and re-run"
    fi
  done
}

main() {
  parse_args "$@"
  set_root "$ROOT_ARG"
  require_tools awk sed grep cmp mktemp stat readlink rm
  require_root_user
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/hasn-uninstall.XXXXXX")
  if is_live_root && [ "$DRY_RUN" = 0 ]; then
    mkdir -p /run/lock
    exec 9>/run/lock/hasn-install.lock
    flock -n 9 || die "$EXIT_CONFLICT" "another install.sh or uninstall.sh is running" "wait for it to finish, then re-run"
  fi
  if [ "$DRY_RUN" = 1 ]; then say "dry run: nothing will be changed"; fi
  step "systemd"
  remove_units
  step "Application"
  remove_path /opt/hasn "all installed versions"
  if [ "$PURGE" = 1 ]; then
    step "Purge"
    purge
  else
    say "kept /etc/hasn (configuration, credentials), /var/lib/hasn (data) and the hasn user; --purge removes them"
  fi
  if [ "$CHANGES" = 0 ]; then
    say "nothing to do: HASN is not installed (0 changes)"
  elif [ "$DRY_RUN" = 1 ]; then
    say "dry run: $CHANGES change(s) planned, nothing was changed"
  else
    say "done: $CHANGES change(s) made"
  fi
}

main "$@"
