# shellcheck shell=bash
# Shared by install.sh and uninstall.sh: exit codes, messages, dry-run aware changes, paths under --root, owners.

# Exit codes, documented in provisioning/README.md ("Exit codes").
readonly EXIT_OK=0
readonly EXIT_UNEXPECTED=1   # a command failed where no failure was expected (a bug or a broken host)
readonly EXIT_USAGE=2        # bad option, option value or enrollment file
readonly EXIT_PRECONDITION=3 # not root, unsupported host, a required tool is missing
readonly EXIT_NODE=4         # no supported Node.js and none could be installed
readonly EXIT_APP=5          # the app could not be installed (source, bundle, checksum, npm)
readonly EXIT_SYSTEM=6       # user/group, boot configuration or systemd step failed
readonly EXIT_CONFLICT=7     # version already installed with other content; nothing to roll back to

PROG=${PROG:-hasn}
DRY_RUN=0
CHANGES=0
ROOT=/
# Prefix of every path we touch: "" when the target is the running system, else the staging root.
R=""

say() { printf '%s: %s\n' "$PROG" "$*"; }
step() { printf '==> %s\n' "$*"; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }

DIED=0
WORK=""
ERR_LINE='?'
ERR_COMMAND='?'

# die CODE MESSAGE [WHAT-TO-DO]: every failure tells the operator what to do next.
die() {
  local code=$1 message=$2 hint=${3:-}
  printf '%s: error: %s\n' "$PROG" "$message" >&2
  if [ -n "$hint" ]; then printf '%s: what to do: %s\n' "$PROG" "$hint" >&2; fi
  DIED=1
  exit "$code"
}

# Installed by the scripts: `trap remember_error ERR` notes the failing command, `trap on_exit EXIT` reports it.
remember_error() {
  ERR_LINE=$1
  ERR_COMMAND=$2
}

on_exit() {
  local status=$?
  if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
  if [ "$status" != 0 ] && [ "$DIED" = 0 ]; then
    printf '%s: error: unexpected failure (status %s) at line %s: %s\n' "$PROG" "$status" "$ERR_LINE" "$ERR_COMMAND" >&2
    printf '%s: what to do: fix the cause shown above and re-run (re-running is safe; --dry-run shows the plan)\n' "$PROG" >&2
    exit "$EXIT_UNEXPECTED"
  fi
}

# change DESCRIPTION COMMAND...: one change to the target; printed, counted, and only described under --dry-run.
change() {
  local what=$1
  shift
  CHANGES=$((CHANGES + 1))
  if [ "$DRY_RUN" = 1 ]; then
    printf '  would %s\n' "$what"
    return 0
  fi
  printf '  %s\n' "$what"
  "$@"
}

# set_root DIR: every later path is written under DIR ("/" means the running system).
set_root() {
  local dir=$1
  [ -d "$dir" ] || die "$EXIT_USAGE" "--root $dir is not a directory" "create it first or pass an existing directory"
  ROOT=$(cd "$dir" && pwd -P)
  if [ "$ROOT" = / ]; then R=""; else R=$ROOT; fi
}

is_live_root() { [ -z "$R" ]; }

if [ "$(id -u)" = 0 ]; then RUNNING_AS_ROOT=1; else RUNNING_AS_ROOT=0; fi

# Ownership needs root; a staging root may be prepared without it (files then stay owned by the caller).
can_chown() { [ "$RUNNING_AS_ROOT" = 1 ]; }

# Numeric ids from the target's own passwd/group files, so a staging root gets its own ids, not the host's.
uid_in_root() { [ ! -f "$R/etc/passwd" ] || awk -F: -v n="$1" '$1 == n { print $3; exit }' "$R/etc/passwd"; }
gid_in_root() { [ ! -f "$R/etc/group" ] || awk -F: -v n="$1" '$1 == n { print $3; exit }' "$R/etc/group"; }
user_exists() { [ -n "$(uid_in_root "$1")" ]; }
group_exists() { [ -n "$(gid_in_root "$1")" ]; }
group_members() { [ ! -f "$R/etc/group" ] || awk -F: -v n="$1" '$1 == n { print $4; exit }' "$R/etc/group"; }

# owner_ids USER GROUP: prints uid:gid, or fails when either is unknown in the target.
owner_ids() {
  [ -f "$R/etc/passwd" ] && [ -f "$R/etc/group" ] || return 1
  awk -F: -v user="$1" -v group="$2" '
    FNR == NR { if ($1 == user) uid = $3; next }
    $1 == group { gid = $3 }
    END { if (uid == "" || gid == "") exit 1; print uid ":" gid }' "$R/etc/passwd" "$R/etc/group"
}

apply_owner() {
  local path=$1 user=$2 group=$3 ids
  can_chown || return 0
  ids=$(owner_ids "$user" "$group") || die "$EXIT_SYSTEM" "user $user or group $group is missing in $R/etc/passwd or $R/etc/group" "re-run the installer; it creates them"
  chown -h "$ids" "$path"
}

# fix_mode_owner TARGET MODE USER GROUP: corrects mode and owner of an existing path.
fix_mode_owner() {
  local target=$1 mode=$2 user=$3 group=$4 path=$R$1 want current_mode current_owner
  read -r current_mode current_owner <<<"$(stat -c '%a %u:%g' "$path")"
  if [ "$current_mode" != "${mode#0}" ]; then
    change "set mode $mode on $target" chmod "$mode" "$path"
  fi
  can_chown || return 0
  if ! want=$(owner_ids "$user" "$group"); then
    change "set owner $user:$group on $target" apply_owner "$path" "$user" "$group"
  elif [ "$current_owner" != "$want" ]; then
    change "set owner $user:$group on $target" chown "$want" "$path"
  fi
}

make_dir() { mkdir -p "$1" && chmod "$2" "$1" && apply_owner "$1" "$3" "$4"; }

# ensure_dir TARGET MODE USER GROUP
ensure_dir() {
  local target=$1 mode=$2 user=$3 group=$4
  if [ ! -d "$R$target" ]; then
    change "create $target ($mode $user:$group)" make_dir "$R$target" "$mode" "$user" "$group"
    return 0
  fi
  fix_mode_owner "$target" "$mode" "$user" "$group"
}

# put_file SOURCE PATH MODE USER GROUP: atomic replace (temporary file in the same directory, then rename).
put_file() {
  local source=$1 path=$2 mode=$3 user=$4 group=$5 tmp
  tmp=$(mktemp "$(dirname "$path")/.hasn-tmp.XXXXXX")
  cp "$source" "$tmp"
  chmod "$mode" "$tmp"
  apply_owner "$tmp" "$user" "$group"
  mv -f "$tmp" "$path"
}

# ensure_file TARGET MODE USER GROUP SOURCE: TARGET gets SOURCE's content, mode and owner; untouched when equal.
# Sets FILE_CHANGED=1 when the content changed (or would). Always returns 0, so callers stay under `set -e`.
FILE_CHANGED=0
ensure_file() {
  local target=$1 mode=$2 user=$3 group=$4 source=$5 path=$R$1 verb=write
  FILE_CHANGED=0
  if [ -f "$path" ] && cmp -s "$source" "$path"; then
    fix_mode_owner "$target" "$mode" "$user" "$group"
    return 0
  fi
  if [ -e "$path" ]; then verb=update; fi
  change "$verb $target" put_file "$source" "$path" "$mode" "$user" "$group"
  FILE_CHANGED=1
}

# put_content SOURCE PATH: replaces the content, keeping the file's mode and owner. Files on vfat (/boot/firmware)
# have no modes of their own, so copying them may be refused there: that is harmless.
put_content() {
  local source=$1 path=$2 tmp
  tmp=$(mktemp "$(dirname "$path")/.hasn-tmp.XXXXXX")
  cp "$source" "$tmp"
  chmod --reference="$path" "$tmp" 2>/dev/null || true
  if can_chown; then chown --reference="$path" "$tmp" 2>/dev/null || true; fi
  mv -f "$tmp" "$path"
}

# swap_symlink DEST PATH: rename(2) over the old link, so readers see either the old or the new target.
swap_symlink() {
  local dest=$1 path=$2 tmp
  tmp="$(dirname "$path")/.hasn-link.$$"
  ln -sfn "$dest" "$tmp"
  mv -fT "$tmp" "$path"
}

# ensure_symlink TARGET DEST
ensure_symlink() {
  local target=$1 dest=$2 path=$R$1
  if [ -L "$path" ] && [ "$(readlink "$path")" = "$dest" ]; then return 0; fi
  change "point $target -> $dest" swap_symlink "$dest" "$path"
}

# remove_path TARGET [REASON]
remove_path() {
  local target=$1 path=$R$1
  if [ -e "$path" ] || [ -L "$path" ]; then
    change "remove $target${2:+ ($2)}" rm -rf "$path"
  fi
}

# The record of what install.sh created (so uninstall --purge removes exactly that): one item per line.
readonly INSTALL_RECORD=/etc/hasn/installed-by-hasn
recorded() { grep -qxF -- "$1" "$R$INSTALL_RECORD" 2>/dev/null; }

require_tools() {
  local tool missing=()
  for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    die "$EXIT_PRECONDITION" "required tools are missing: ${missing[*]}" "install them (apt-get install coreutils tar gzip gawk sed diffutils) and re-run"
  fi
}

require_root_user() {
  if is_live_root && ! can_chown && [ "$DRY_RUN" != 1 ]; then
    die "$EXIT_PRECONDITION" "this changes the system and must run as root" "re-run with sudo, or pass --dry-run to see the plan"
  fi
  if ! is_live_root && ! can_chown; then
    warn "not running as root: files under $ROOT keep your ownership"
  fi
}
