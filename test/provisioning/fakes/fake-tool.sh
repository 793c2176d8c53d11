#!/usr/bin/env bash
# Stand-in for the system tools install.sh drives (linked under their names into a test's PATH): records every call
# and mimics the effect inside the staging root only; account tools refuse to run without --prefix.
set -euo pipefail

tool=$(basename "$0")
: "${FAKE_LOG:?FAKE_LOG must name the call log}"
: "${FAKE_STATE:?FAKE_STATE must name a state directory}"

# One line per call: tool, working directory, npm's build environment, then the arguments; fields split by 0x1f.
{
  printf '%s\x1f%s\x1f%s' "$tool" "$PWD" "build_from_source=${npm_config_build_from_source:-} nodedir=${npm_config_nodedir:-}"
  printf '\x1f%s' "$@"
  printf '\n'
} >>"$FAKE_LOG"

# prefix_of ARGS...: the value of --prefix, or refuse (a fake must never edit the real /etc).
prefix_of() {
  while [ $# -gt 0 ]; do
    if [ "$1" = --prefix ]; then printf '%s' "$2"; return 0; fi
    shift
  done
  echo "fake $tool: refusing to run without --prefix" >&2
  exit 97
}

last_arg() { printf '%s' "${!#}"; }

next_id() { awk -F: 'BEGIN { max = 899 } $3 > max && $3 < 1000 { max = $3 } END { print max + 1 }' "$@"; }

# replace_file FILE: stdin becomes FILE's content; mode and owner stay, as with the real shadow tools.
replace_file() {
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat >"$tmp"
  chmod --reference="$1" "$tmp"
  mv "$tmp" "$1"
}

case $tool in
  systemctl)
    root=""
    args=()
    for arg in "$@"; do
      case $arg in
        --root=*) root=${arg#--root=} ;;
        --*) ;;
        *) args+=("$arg") ;;
      esac
    done
    if [ -n "$root" ] && [ "${#args[@]}" -ge 2 ]; then
      wants="$root/etc/systemd/system/multi-user.target.wants"
      case ${args[0]} in
        enable) mkdir -p "$wants" && ln -sfn "/etc/systemd/system/${args[1]}" "$wants/${args[1]}" ;;
        disable)
          rm -f "$wants/${args[1]}"
          # Like systemctl: a .wants folder left empty goes too.
          rmdir "$wants" 2>/dev/null || true
          ;;
      esac
    fi
    if [ "${args[0]:-}" = is-active ]; then exit 3; fi
    ;;
  groupadd)
    prefix=$(prefix_of "$@")
    name=$(last_arg "$@")
    printf '%s:x:%s:\n' "$name" "$(next_id "$prefix/etc/group")" >>"$prefix/etc/group"
    ;;
  useradd)
    prefix=$(prefix_of "$@")
    name=$(last_arg "$@")
    id=$(next_id "$prefix/etc/passwd" "$prefix/etc/group")
    printf '%s:x:%s:\n' "$name" "$id" >>"$prefix/etc/group"
    printf '%s:x:%s:%s:HASN service:/var/lib/hasn:/usr/sbin/nologin\n' "$name" "$id" "$id" >>"$prefix/etc/passwd"
    ;;
  usermod)
    prefix=$(prefix_of "$@")
    name=$(last_arg "$@")
    groups=""
    while [ $# -gt 0 ]; do
      if [ "$1" = --groups ]; then groups=$2; fi
      shift
    done
    awk -F: -v OFS=: -v user="$name" -v list="$groups" '
      BEGIN { n = split(list, wanted, ","); for (i = 1; i <= n; i++) add[wanted[i]] = 1 }
      ($1 in add) { $4 = ($4 == "" ? user : $4 "," user) }
      { print }' "$prefix/etc/group" | replace_file "$prefix/etc/group"
    ;;
  userdel)
    prefix=$(prefix_of "$@")
    name=$(last_arg "$@")
    gid=$(awk -F: -v n="$name" '$1 == n { print $4 }' "$prefix/etc/passwd")
    awk -F: -v n="$name" '$1 != n' "$prefix/etc/passwd" | replace_file "$prefix/etc/passwd"
    # Like userdel with USERGROUPS_ENAB: drops the user from member lists and removes its own group.
    awk -F: -v OFS=: -v n="$name" -v gid="$gid" '
      $1 == n && $3 == gid { next }
      { m = split($4, members, ","); out = ""
        for (i = 1; i <= m; i++) if (members[i] != n) out = (out == "" ? members[i] : out "," members[i])
        $4 = out; print }' "$prefix/etc/group" | replace_file "$prefix/etc/group"
    ;;
  groupdel)
    prefix=$(prefix_of "$@")
    name=$(last_arg "$@")
    awk -F: -v n="$name" '$1 != n' "$prefix/etc/group" | replace_file "$prefix/etc/group"
    ;;
  apt-get)
    if [ -n "${FAKE_APT_FAIL:-}" ]; then
      echo "E: fake apt-get failure" >&2
      exit 100
    fi
    if [ "${1:-}" != update ]; then
      for package in "$@"; do
        if [ "$package" = nodejs ]; then printf '%s\n' "${FAKE_APT_NODEJS:-v20.19.2}" >"$FAKE_STATE/node-version"; fi
      done
    fi
    ;;
  node)
    if [ ! -f "$FAKE_STATE/node-version" ]; then
      echo "node: not installed (fake)" >&2
      exit 127
    fi
    version=$(cat "$FAKE_STATE/node-version")
    case ${1:-} in
      --version) printf '%s\n' "$version" ;;
      -p)
        major=${version#v}
        major=${major%%.*}
        case $major in 20) echo 115 ;; 22) echo 127 ;; 24) echo 137 ;; *) echo 0 ;; esac
        ;;
    esac
    ;;
  npm)
    if [ -n "${FAKE_NPM_FAIL:-}" ]; then
      echo "npm ERR! fake failure" >&2
      exit 1
    fi
    case ${1:-} in
      --version) echo 10.9.0 ;;
      ci)
        mkdir -p node_modules
        if [ -n "${FAKE_NPM_TREE:-}" ]; then cp -R "$FAKE_NPM_TREE/." node_modules/; fi
        ;;
    esac
    ;;
  curl)
    out=""
    while [ $# -gt 0 ]; do
      if [ "$1" = -o ]; then out=$2; fi
      shift
    done
    if [ -n "${FAKE_CURL_FAIL:-}" ]; then exit 22; fi
    printf 'fake key downloaded by curl\n' >"$out"
    ;;
  gpg)
    out=""
    mode=""
    for arg in "$@"; do
      case $arg in
        --show-keys) mode=show ;;
        --dearmor) mode=dearmor ;;
      esac
    done
    if [ "$mode" = show ]; then
      printf 'pub:-:2048:1:%s:1464048000:::-:::scESC::::::23::0:\n' "${FAKE_GPG_FINGERPRINT: -16}"
      printf 'fpr:::::::::%s:\n' "$FAKE_GPG_FINGERPRINT"
    elif [ "$mode" = dearmor ]; then
      input=$(last_arg "$@")
      while [ $# -gt 0 ]; do
        if [ "$1" = -o ]; then out=$2; fi
        shift
      done
      { printf 'dearmored:'; cat "$input"; } >"$out"
    fi
    ;;
  uname)
    if [ "${1:-}" = -m ]; then printf '%s\n' "${FAKE_UNAME_M:-aarch64}"; else echo Linux; fi
    ;;
  raspi-config | g++ | make | python3) ;;
  *)
    echo "fake-tool: no fake named $tool" >&2
    exit 98
    ;;
esac
