#!/usr/bin/env bash
# Turns a Raspberry Pi OS (64-bit) host into a managed HASN device, idempotently; see provisioning/README.md.
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
PROG=hasn-install
. "$SCRIPT_DIR/lib/common.sh"
. "$SCRIPT_DIR/lib/node.sh"
. "$SCRIPT_DIR/lib/boot-config.sh"
. "$SCRIPT_DIR/lib/agent-config.sh"
trap 'remember_error "$LINENO" "$BASH_COMMAND"' ERR
trap on_exit EXIT

readonly SERVICE_USER=hasn
readonly DEVICE_GROUPS=(gpio i2c dialout)
readonly FLEET_CONFIG_TARGET=/etc/hasn/fleet.yaml
readonly STAMP=.hasn-install

usage() {
  cat <<'EOF'
Usage: install.sh [options]

Installs or upgrades HASN on this host (run as root). Safe to repeat: a second run changes nothing.

Source of the app (default: the checkout this script sits in):
  --source DIR              a HASN checkout or an extracted bundle
  --bundle FILE             an offline bundle from `npm run package` (checked against FILE.sha256 if present)
  --sha256 HEX              expected SHA-256 of --bundle
  --version VERSION         install under /opt/hasn/VERSION (default: the app's package.json version)
  --force                   replace an installed VERSION whose content differs

Enrollment (required on the first install of an agent; later runs keep /etc/hasn/agent.yaml unless given):
  --enroll FILE             key=value file: device_id, mqtt_url, mqtt_username, mqtt_password_file,
                            ca_file, controller_public_key_file, brain_spec, backend, http_port
  --device-id ID            [a-z0-9-]{3,64}
  --mqtt-url URL            mqtt://, mqtts://, ws:// or wss:// broker URL
  --mqtt-username NAME
  --mqtt-password-file FILE copied to /etc/hasn/mqtt-password (0640 root:hasn)
  --ca-file FILE            PEM CA certificate of the broker, copied to /etc/hasn/ca.crt
  --controller-key FILE     the fleet controller's public key, copied to /etc/hasn/controller.pub
  --brain-spec PATH         network spec the agent loads at start
  --backend NAME            default: cpu
  --http-port PORT          agent HTTP API on 127.0.0.1 (default: 8080)

Host:
  --role agent|fleet|both   what to run here (default: agent); fleet needs --fleet-config or /etc/hasn/fleet.yaml
  --fleet-config FILE       controller configuration, copied to /etc/hasn/fleet.yaml
  --enable-i2c              turn on the header I2C bus in /boot/firmware/config.txt (reboot needed)
  --enable-uart             turn on the header UART (/dev/ttyAMA0) in /boot/firmware/config.txt (reboot needed)
  --node-source SOURCE      debian (default): Debian's nodejs if it is >=20.19 <25;
                            nodesource: Node.js 24 LTS from deb.nodesource.com (signing key fingerprint pinned);
                            none: never install Node.js, only check it
  --allow-prebuilt-downloads  let native addons fetch prebuilt binaries from their GitHub releases
                            (default: compile them from the sources in the npm packages)
  --keep N                  keep at most N versions in /opt/hasn (default: 3; current and previous always stay)

Operation:
  --rollback                switch /opt/hasn/current back to /opt/hasn/previous and restart
  --dry-run                 print the plan; change nothing
  --root DIR                install into DIR instead of / (staging, tests); units are enabled there, not started
  -h, --help                this help

Exit codes: 0 done, 1 unexpected failure, 2 usage, 3 precondition (root, tools), 4 Node.js,
            5 app (source, bundle, npm), 6 system (users, boot config, systemd), 7 conflict.
EOF
}

ROOT_ARG=/
ROLE=agent
SOURCE_DIR=""
BUNDLE_FILE=""
BUNDLE_SHA256=""
VERSION=""
FORCE=0
ROLLBACK=0
KEEP_VERSIONS=3
ENABLE_I2C=0
ENABLE_UART=0
ALLOW_PREBUILT_DOWNLOADS=0
ENROLL_FILE=""
FLEET_CONFIG=""
E_DEVICE_ID=""
E_MQTT_URL=""
E_MQTT_USERNAME=""
E_MQTT_PASSWORD_FILE=""
E_CA_FILE=""
E_CONTROLLER_KEY_FILE=""
E_BRAIN_SPEC=""
E_BACKEND=""
E_HTTP_HOST=127.0.0.1
E_HTTP_PORT=""
HAS_ENROLLMENT=0
RECORD=()

SOURCE_KIND=""
SOURCE_LABEL=""
DIGEST=""
APP_NEEDS_INSTALL=0
NEED_NPM_CI=0
REBUILD=()
REBOOT_NEEDED=0

# ---------------------------------------------------------------------------------------------- options

parse_args() {
  while [ $# -gt 0 ]; do
    if [[ $1 == --*=* ]]; then set -- "${1%%=*}" "${1#*=}" "${@:2}"; fi
    case $1 in
      -h | --help) usage; exit "$EXIT_OK" ;;
      --dry-run) DRY_RUN=1 ;;
      --force) FORCE=1 ;;
      --rollback) ROLLBACK=1 ;;
      --enable-i2c) ENABLE_I2C=1 ;;
      --enable-uart) ENABLE_UART=1 ;;
      --allow-prebuilt-downloads) ALLOW_PREBUILT_DOWNLOADS=1 ;;
      --root | --source | --bundle | --sha256 | --version | --role | --fleet-config | --node-source | --keep | \
        --enroll | --device-id | --mqtt-url | --mqtt-username | --mqtt-password-file | --ca-file | \
        --controller-key | --brain-spec | --backend | --http-port)
        [ $# -ge 2 ] || die "$EXIT_USAGE" "$1 needs a value" "see install.sh --help"
        set_option "$1" "$2"
        shift
        ;;
      *) die "$EXIT_USAGE" "unknown option: $1" "see install.sh --help" ;;
    esac
    shift
  done
}

set_option() {
  local value=$2
  case $1 in
    --root) ROOT_ARG=$value ;;
    --source) SOURCE_DIR=$value ;;
    --bundle) BUNDLE_FILE=$value ;;
    --sha256) BUNDLE_SHA256=$value ;;
    --version) VERSION=$value ;;
    --role) ROLE=$value ;;
    --fleet-config) FLEET_CONFIG=$value ;;
    --node-source) NODE_SOURCE=$value ;;
    --keep) KEEP_VERSIONS=$value ;;
    --enroll) ENROLL_FILE=$value ;;
    --device-id) E_DEVICE_ID=$value ;;
    --mqtt-url) E_MQTT_URL=$value ;;
    --mqtt-username) E_MQTT_USERNAME=$value ;;
    --mqtt-password-file) E_MQTT_PASSWORD_FILE=$value ;;
    --ca-file) E_CA_FILE=$value ;;
    --controller-key) E_CONTROLLER_KEY_FILE=$value ;;
    --brain-spec) E_BRAIN_SPEC=$value ;;
    --backend) E_BACKEND=$value ;;
    --http-port) E_HTTP_PORT=$value ;;
  esac
}

# load_enrollment FILE: key=value lines (# comments); command-line options win. Never sourced: it is data.
load_enrollment() {
  local file=$1 dir line key value number=0
  if [ ! -f "$file" ] || [ ! -r "$file" ]; then
    die "$EXIT_USAGE" "cannot read enrollment file $file" "check the path given to --enroll"
  fi
  dir=$(cd "$(dirname "$file")" && pwd -P)
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    line=${line%$'\r'}
    [[ $line =~ ^[[:space:]]*(#.*)?$ ]] && continue
    [[ $line =~ ^[[:space:]]*([a-z_]+)[[:space:]]*=[[:space:]]*(.*)$ ]] ||
      die "$EXIT_USAGE" "$file:$number: expected key=value, got: $line" "see provisioning/README.md (Enrollment file)"
    key=${BASH_REMATCH[1]}
    value=${BASH_REMATCH[2]%"${BASH_REMATCH[2]##*[![:space:]]}"}
    if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}; fi
    case $key in
      mqtt_password_file | ca_file | controller_public_key_file)
        if [ -n "$value" ] && [[ $value != /* ]]; then value=$dir/$value; fi
        ;;
    esac
    case $key in
      device_id) E_DEVICE_ID=${E_DEVICE_ID:-$value} ;;
      mqtt_url) E_MQTT_URL=${E_MQTT_URL:-$value} ;;
      mqtt_username) E_MQTT_USERNAME=${E_MQTT_USERNAME:-$value} ;;
      mqtt_password_file) E_MQTT_PASSWORD_FILE=${E_MQTT_PASSWORD_FILE:-$value} ;;
      ca_file) E_CA_FILE=${E_CA_FILE:-$value} ;;
      controller_public_key_file) E_CONTROLLER_KEY_FILE=${E_CONTROLLER_KEY_FILE:-$value} ;;
      brain_spec) E_BRAIN_SPEC=${E_BRAIN_SPEC:-$value} ;;
      backend) E_BACKEND=${E_BACKEND:-$value} ;;
      http_port) E_HTTP_PORT=${E_HTTP_PORT:-$value} ;;
      *)
        die "$EXIT_USAGE" "$file:$number: unknown key '$key'" \
          "use device_id, mqtt_url, mqtt_username, mqtt_password_file, ca_file, controller_public_key_file, brain_spec, backend, http_port"
        ;;
    esac
  done <"$file"
}

role_has() { [ "$ROLE" = both ] || [ "$ROLE" = "$1" ]; }

require_readable() {
  [ -z "$2" ] || { [ -f "$2" ] && [ -r "$2" ]; } || die "$EXIT_USAGE" "$1: cannot read $2" "check the path"
}

no_control_chars() {
  if [[ $2 == *[[:cntrl:]]* ]]; then die "$EXIT_USAGE" "$1 contains a control character" "pass a plain one-line value"; fi
}

validate_options() {
  case $ROLE in agent | fleet | both) ;; *) die "$EXIT_USAGE" "--role must be agent, fleet or both, not '$ROLE'" "see install.sh --help" ;; esac
  case $NODE_SOURCE in
    debian | nodesource | none) ;;
    *) die "$EXIT_USAGE" "--node-source must be debian, nodesource or none, not '$NODE_SOURCE'" "see install.sh --help" ;;
  esac
  [[ $KEEP_VERSIONS =~ ^[1-9][0-9]*$ ]] || die "$EXIT_USAGE" "--keep needs a positive number, not '$KEEP_VERSIONS'" "pass e.g. --keep 3"
  if [ -n "$VERSION" ] && ! [[ $VERSION =~ ^[0-9A-Za-z][0-9A-Za-z.+_-]*$ ]]; then
    die "$EXIT_USAGE" "--version '$VERSION' is not a valid version name" "use letters, digits, '.', '+', '_' and '-'"
  fi
  if [ -n "$BUNDLE_FILE" ] && [ -n "$SOURCE_DIR" ]; then
    die "$EXIT_USAGE" "--source and --bundle exclude each other" "pass one of them"
  fi
  if [ -n "$BUNDLE_SHA256" ] && ! [[ $BUNDLE_SHA256 =~ ^[0-9a-f]{64}$ ]]; then
    die "$EXIT_USAGE" "--sha256 needs 64 lowercase hex digits" "copy the first field of the .sha256 file"
  fi
  if [ -n "$ENROLL_FILE" ]; then load_enrollment "$ENROLL_FILE"; fi
  local value
  for value in "$E_DEVICE_ID" "$E_MQTT_URL" "$E_MQTT_USERNAME" "$E_MQTT_PASSWORD_FILE" "$E_CA_FILE" \
    "$E_CONTROLLER_KEY_FILE" "$E_BRAIN_SPEC" "$E_BACKEND" "$E_HTTP_PORT"; do
    if [ -n "$value" ]; then HAS_ENROLLMENT=1; fi
    no_control_chars "an enrollment value" "$value"
  done
  E_BACKEND=${E_BACKEND:-cpu}
  E_HTTP_PORT=${E_HTTP_PORT:-8080}
  if [ "$HAS_ENROLLMENT" = 1 ]; then
    [[ $E_DEVICE_ID =~ ^[a-z0-9-]{3,64}$ ]] ||
      die "$EXIT_USAGE" "device id '${E_DEVICE_ID}' must be 3-64 characters of a-z, 0-9 and '-'" "pass --device-id (or device_id= in the enrollment file)"
    [[ $E_MQTT_URL =~ ^(mqtt|mqtts|ws|wss)://[^[:space:]/]+ ]] ||
      die "$EXIT_USAGE" "broker URL '${E_MQTT_URL}' must start with mqtt://, mqtts://, ws:// or wss://" "pass --mqtt-url (or mqtt_url=)"
    if ! [[ $E_HTTP_PORT =~ ^[1-9][0-9]{0,4}$ ]] || ((E_HTTP_PORT > 65535)); then
      die "$EXIT_USAGE" "HTTP port '$E_HTTP_PORT' must be a number from 1 to 65535" "pass --http-port"
    fi
    [[ $E_BACKEND =~ ^[a-z0-9-]+$ ]] || die "$EXIT_USAGE" "backend '$E_BACKEND' is not a backend name" "pass --backend cpu"
    require_readable "--mqtt-password-file" "$E_MQTT_PASSWORD_FILE"
    require_readable "--ca-file" "$E_CA_FILE"
    require_readable "--controller-key" "$E_CONTROLLER_KEY_FILE"
    if [ -n "$E_MQTT_PASSWORD_FILE" ] && [ ! -s "$E_MQTT_PASSWORD_FILE" ]; then
      die "$EXIT_USAGE" "password file $E_MQTT_PASSWORD_FILE is empty" "write the device's broker password into it"
    fi
    if [ -n "$E_CA_FILE" ] && ! grep -q -- '-----BEGIN CERTIFICATE-----' "$E_CA_FILE"; then
      die "$EXIT_USAGE" "$E_CA_FILE is not a PEM certificate" "pass the broker's CA certificate in PEM form (-----BEGIN CERTIFICATE-----)"
    fi
  fi
  require_readable "--fleet-config" "$FLEET_CONFIG"
}

# Checks that need the target root: an agent needs an identity, a controller needs its configuration.
check_target_ready() {
  if role_has agent && [ "$HAS_ENROLLMENT" = 0 ] && [ ! -f "$R$AGENT_CONFIG" ]; then
    die "$EXIT_USAGE" "first install of an agent needs enrollment" "pass --device-id ID --mqtt-url URL (and credentials), or --enroll FILE"
  fi
  if role_has fleet && [ -z "$FLEET_CONFIG" ] && [ ! -f "$R$FLEET_CONFIG_TARGET" ]; then
    die "$EXIT_USAGE" "the fleet controller needs its configuration" "pass --fleet-config FILE"
  fi
}

# ---------------------------------------------------------------------------------------------- app source

host_arch() {
  case $(uname -m) in
    aarch64 | arm64) printf 'arm64' ;;
    x86_64 | amd64) printf 'x64' ;;
    armv7l | armv6l) printf 'arm' ;;
    *) uname -m ;;
  esac
}

# bundle_get KEY: a value from the bundle's BUNDLE file (key=value lines written by `npm run package`).
bundle_get() { awk -v k="$1" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }' "$SOURCE_DIR/BUNDLE"; }

unpack_bundle() {
  local expected actual
  [ -f "$BUNDLE_FILE" ] || die "$EXIT_APP" "bundle $BUNDLE_FILE not found" "check the path given to --bundle"
  expected=$BUNDLE_SHA256
  if [ -z "$expected" ] && [ -f "$BUNDLE_FILE.sha256" ]; then expected=$(awk '{ print $1; exit }' "$BUNDLE_FILE.sha256"); fi
  actual=$(sha256sum "$BUNDLE_FILE" | awk '{ print $1 }')
  if [ -z "$expected" ]; then
    warn "no checksum for $BUNDLE_FILE (neither --sha256 nor $BUNDLE_FILE.sha256): its integrity is not verified"
  elif [ "$expected" != "$actual" ]; then
    die "$EXIT_APP" "$BUNDLE_FILE has SHA-256 $actual, expected $expected" "copy the bundle again (it is damaged or not the one you meant)"
  fi
  mkdir "$WORK/bundle"
  tar -xzf "$BUNDLE_FILE" -C "$WORK/bundle" --strip-components=1 ||
    die "$EXIT_APP" "cannot unpack $BUNDLE_FILE" "check that it is a .tar.gz made by npm run package"
  [ -f "$WORK/bundle/BUNDLE" ] || die "$EXIT_APP" "$BUNDLE_FILE is not a HASN bundle (no BUNDLE file)" "make one with npm run package"
  SOURCE_DIR=$WORK/bundle
}

# The app's files as a reproducible tar (sorted, fixed mtime and owner): its SHA-256 identifies the content.
archive_app() {
  local args=(--sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --anchored --exclude="./$STAMP")
  if [ "$SOURCE_KIND" = checkout ]; then
    local excludes=$SOURCE_DIR/provisioning/bundle-exclude
    [ -f "$excludes" ] || excludes=$SCRIPT_DIR/bundle-exclude
    args+=(--exclude-from="$excludes")
  fi
  tar -cf "$WORK/app.tar" "${args[@]}" -C "$SOURCE_DIR" .
  DIGEST=$(sha256sum "$WORK/app.tar" | awk '{ print $1 }')
}

resolve_source() {
  if [ -n "$BUNDLE_FILE" ]; then
    SOURCE_LABEL=$BUNDLE_FILE
    unpack_bundle
  else
    SOURCE_DIR=${SOURCE_DIR:-$SCRIPT_DIR/..}
    [ -d "$SOURCE_DIR" ] || die "$EXIT_APP" "--source $SOURCE_DIR is not a directory" "pass a HASN checkout"
    SOURCE_DIR=$(cd "$SOURCE_DIR" && pwd -P)
    SOURCE_LABEL=$SOURCE_DIR
  fi
  [ -f "$SOURCE_DIR/package.json" ] ||
    die "$EXIT_APP" "no HASN app in $SOURCE_DIR (package.json missing)" "pass --source DIR (a checkout) or --bundle FILE (from npm run package)"
  if [ -f "$SOURCE_DIR/$STAMP" ]; then
    SOURCE_KIND=installed
    VERSION=$(awk -F= '$1 == "version" { print $2; exit }' "$SOURCE_DIR/$STAMP")
    return 0
  elif [ -f "$SOURCE_DIR/BUNDLE" ]; then
    SOURCE_KIND=bundle
    local arch
    arch=$(bundle_get arch)
    if [ "$(bundle_get platform)" != linux ] || [ "$arch" != "$(host_arch)" ]; then
      die "$EXIT_APP" "the bundle is for $(bundle_get platform)-$arch, this host is linux-$(host_arch)" \
        "make a bundle for this host (npm run package -- --arch $(host_arch)) or install from a checkout"
    fi
    VERSION=${VERSION:-$(bundle_get version)}
  else
    SOURCE_KIND=checkout
    VERSION=${VERSION:-$(sed -n 's/^  "version": *"\([^"]*\)".*/\1/p' "$SOURCE_DIR/package.json" | head -n 1)}
  fi
  [[ $VERSION =~ ^[0-9A-Za-z][0-9A-Za-z.+_-]*$ ]] ||
    die "$EXIT_APP" "cannot tell the app's version from $SOURCE_DIR" "pass --version VERSION"
  archive_app
  [ -d "$SOURCE_DIR/node_modules" ] || NEED_NPM_CI=1
  local installed=$R/opt/hasn/$VERSION
  if [ ! -d "$installed" ]; then
    APP_NEEDS_INSTALL=1
  elif [ "$(awk -F= '$1 == "digest" { print $2; exit }' "$installed/$STAMP" 2>/dev/null || true)" = "$DIGEST" ]; then
    APP_NEEDS_INSTALL=0
  elif [ "$FORCE" = 1 ]; then
    APP_NEEDS_INSTALL=1
  else
    die "$EXIT_CONFLICT" "/opt/hasn/$VERSION is already installed with different content" \
      "give this build its own version (--version $VERSION-2) or pass --force to replace it"
  fi
}

# Native addons the bundle could not ship ready for this host: no binary for the arch, or built for another ABI.
plan_rebuild() {
  [ "$SOURCE_KIND" = bundle ] && [ "$APP_NEEDS_INSTALL" = 1 ] || return 0
  local compiled=() abi device_abi
  read -r -a REBUILD <<<"$(bundle_get rebuild)"
  read -r -a compiled <<<"$(bundle_get compiled)"
  abi=$(bundle_get node_abi)
  device_abi=$(node -p process.versions.modules 2>/dev/null || true)
  if [ "${#compiled[@]}" -gt 0 ] && [ "$abi" != "$device_abi" ]; then REBUILD+=("${compiled[@]}"); fi
}

# ---------------------------------------------------------------------------------------------- steps

ensure_accounts() {
  local shadow_root=() groups=() missing=() group members
  is_live_root || shadow_root=(--prefix "$ROOT")
  if role_has agent; then groups=("${DEVICE_GROUPS[@]}"); fi
  for group in "${groups[@]}"; do
    if ! group_exists "$group"; then
      change "create system group $group" groupadd --system "${shadow_root[@]}" "$group" ||
        die "$EXIT_SYSTEM" "groupadd $group failed" "create the group by hand (groupadd --system $group) and re-run"
      RECORD+=("group $group")
    fi
  done
  if ! user_exists "$SERVICE_USER"; then
    change "create system user $SERVICE_USER" useradd --system --user-group --home-dir "$AGENT_DATA_DIR" --no-create-home \
      --shell /usr/sbin/nologin --comment "HASN service" "${shadow_root[@]}" "$SERVICE_USER" ||
      die "$EXIT_SYSTEM" "useradd $SERVICE_USER failed" "read the message above; remove a half-made user with userdel $SERVICE_USER and re-run"
    RECORD+=("user $SERVICE_USER")
  fi
  for group in "${groups[@]}"; do
    members=$(group_members "$group")
    if [[ ",$members," != *",$SERVICE_USER,"* ]]; then missing+=("$group"); fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    local list
    list=$(IFS=,; printf '%s' "${missing[*]}")
    change "add $SERVICE_USER to groups $list" usermod --append --groups "$list" "${shadow_root[@]}" "$SERVICE_USER" ||
      die "$EXIT_SYSTEM" "usermod failed" "add the user by hand (usermod -aG $list $SERVICE_USER) and re-run"
  fi
}

ensure_boot_config() {
  local lines=() file=$R$BOOT_CONFIG
  if [ "$ENABLE_I2C" = 0 ] && [ "$ENABLE_UART" = 0 ]; then return 0; fi
  step "Boot configuration"
  [ -f "$file" ] || die "$EXIT_SYSTEM" "$BOOT_CONFIG not found" \
    "--enable-i2c/--enable-uart are for Raspberry Pi OS (bookworm or later); leave them out on other systems"
  mapfile -t lines < <(boot_block_lines "$file")
  if [ "$ENABLE_I2C" = 1 ]; then lines+=("$BOOT_LINE_I2C"); fi
  if [ "$ENABLE_UART" = 1 ]; then lines+=("$BOOT_LINE_UART"); fi
  # Fixed order, no duplicates: the block reads the same whatever order the options came in.
  local ordered=() line
  for line in "$BOOT_LINE_I2C" "$BOOT_LINE_UART"; do
    if printf '%s\n' "${lines[@]}" | grep -qxF -- "$line"; then ordered+=("$line"); fi
  done
  render_boot_config "$file" "$WORK/config.txt" "${ordered[@]}"
  if ! cmp -s "$WORK/config.txt" "$file"; then
    change "turn on ${ordered[*]} in $BOOT_CONFIG" put_content "$WORK/config.txt" "$file"
    RECORD+=("boot-config")
    REBOOT_NEEDED=1
  fi
  if [ "$ENABLE_I2C" = 1 ]; then
    # /dev/i2c-* appear only with the i2c-dev module loaded.
    printf 'i2c-dev\n' >"$WORK/modules-load.conf"
    ensure_dir /etc/modules-load.d 0755 root root
    ensure_file /etc/modules-load.d/hasn.conf 0644 root root "$WORK/modules-load.conf"
  fi
}

unpack_app() {
  local partial=$R/opt/hasn/.partial-$VERSION final=$R/opt/hasn/$VERSION replaced=$R/opt/hasn/.replaced-$VERSION
  local npm_env=()
  rm -rf "$partial" "$replaced"
  mkdir "$partial"
  chmod 0755 "$partial"
  tar -xmf "$WORK/app.tar" -C "$partial"
  if [ "$NEED_NPM_CI" = 1 ] || [ "${#REBUILD[@]}" -gt 0 ]; then mapfile -t npm_env < <(npm_build_env); fi
  if [ "$NEED_NPM_CI" = 1 ]; then
    (cd "$partial" && env "${npm_env[@]}" npm ci --omit=dev --no-audit --no-fund) || {
      rm -rf "$partial"
      die "$EXIT_APP" "npm ci failed for /opt/hasn/$VERSION" \
        "read npm's output above; check access to the npm registry, or install an offline bundle (--bundle)"
    }
  fi
  if [ "${#REBUILD[@]}" -gt 0 ]; then
    (cd "$partial" && env "${npm_env[@]}" npm rebuild "${REBUILD[@]}") || {
      rm -rf "$partial"
      die "$EXIT_APP" "npm rebuild ${REBUILD[*]} failed" "read the compiler output above; build-essential, python3 and the Node.js headers must be installed"
    }
  fi
  printf 'version=%s\ndigest=%s\n' "$VERSION" "$DIGEST" >"$partial/$STAMP"
  if [ -d "$final" ]; then mv "$final" "$replaced"; fi
  mv "$partial" "$final"
  rm -rf "$replaced"
}

install_app() {
  ensure_dir /opt/hasn 0755 root root
  if [ "$APP_NEEDS_INSTALL" = 0 ]; then
    say "app $VERSION is installed and unchanged"
  else
    local what="install the app into /opt/hasn/$VERSION"
    if [ "$NEED_NPM_CI" = 1 ]; then what+=" and run npm ci --omit=dev there"; fi
    if [ "${#REBUILD[@]}" -gt 0 ]; then what+=" and rebuild ${REBUILD[*]} for this host"; fi
    change "$what" unpack_app
  fi
  activate_version "$VERSION"
  prune_versions
}

# activate_version VERSION: current -> VERSION (one rename), previous -> what current was.
activate_version() {
  local current
  current=$(readlink "$R/opt/hasn/current" 2>/dev/null || true)
  if [ "$current" = "$1" ]; then return 0; fi
  if [ -n "$current" ]; then ensure_symlink /opt/hasn/previous "$current"; fi
  ensure_symlink /opt/hasn/current "$1"
}

prune_versions() {
  [ -d "$R/opt/hasn" ] || return 0
  local current previous dirs=() dir count
  current=$(readlink "$R/opt/hasn/current" 2>/dev/null || true)
  previous=$(readlink "$R/opt/hasn/previous" 2>/dev/null || true)
  mapfile -t dirs < <(find "$R/opt/hasn" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f\n' | sort -V)
  count=${#dirs[@]}
  for dir in "${dirs[@]}"; do
    ((count > KEEP_VERSIONS)) || break
    if [ "$dir" = "$current" ] || [ "$dir" = "$previous" ] || [ "$dir" = "$VERSION" ]; then continue; fi
    remove_path "/opt/hasn/$dir" "keeping at most $KEEP_VERSIONS versions"
    count=$((count - 1))
  done
}

# ensure_credential TARGET SOURCE: copies an enrollment file, or removes a stale one the new enrollment dropped.
ensure_credential() {
  if [ -n "$2" ]; then
    ensure_file "$1" 0640 root "$SERVICE_USER" "$2"
  else
    remove_path "$1" "no longer part of the enrollment"
  fi
}

write_configuration() {
  ensure_dir /etc/hasn 0750 root "$SERVICE_USER"
  if role_has agent; then
    if [ "$HAS_ENROLLMENT" = 1 ]; then
      ensure_credential "$AGENT_CA_FILE" "$E_CA_FILE"
      ensure_credential "$AGENT_PASSWORD_FILE" "$E_MQTT_PASSWORD_FILE"
      ensure_credential "$AGENT_CONTROLLER_KEY_FILE" "$E_CONTROLLER_KEY_FILE"
      render_agent_config "$WORK/agent.yaml"
      ensure_file "$AGENT_CONFIG" 0640 root "$SERVICE_USER" "$WORK/agent.yaml"
    else
      say "keeping $AGENT_CONFIG (no enrollment options given)"
      fix_mode_owner "$AGENT_CONFIG" 0640 root "$SERVICE_USER"
    fi
  fi
  if role_has fleet && [ -n "$FLEET_CONFIG" ]; then
    ensure_file "$FLEET_CONFIG_TARGET" 0640 root "$SERVICE_USER" "$FLEET_CONFIG"
  fi
  if [ "${#RECORD[@]}" -gt 0 ]; then
    { cat "$R$INSTALL_RECORD" 2>/dev/null || true; printf '%s\n' "${RECORD[@]}"; } | sort -u >"$WORK/record"
    ensure_file "$INSTALL_RECORD" 0640 root root "$WORK/record"
  fi
}

ensure_state_dirs() {
  if role_has agent; then ensure_dir "$AGENT_DATA_DIR" 0750 "$SERVICE_USER" "$SERVICE_USER"; fi
  if role_has fleet; then ensure_dir /var/lib/hasn-fleet 0750 "$SERVICE_USER" "$SERVICE_USER"; fi
}

selected_units() {
  if role_has agent; then printf '%s\n' hasn-agent; fi
  if role_has fleet; then printf '%s\n' hasn-fleet; fi
}

# install_units: copies the active version's units and enables them; on the live system it (re)starts them, restarting
# after any change of this run (app, config, groups, Node.js) so the service runs what was installed.
install_units() {
  local units=() unit units_changed=0 source=$R/opt/hasn/$VERSION/systemd systemctl_root=()
  is_live_root || systemctl_root=(--root="$ROOT")
  [ -d "$source" ] || source=$SOURCE_DIR/systemd
  mapfile -t units < <(selected_units)
  ensure_dir /etc/systemd/system 0755 root root
  for unit in "${units[@]}"; do
    ensure_file "/etc/systemd/system/$unit.service" 0644 root root "$source/$unit.service"
    if [ "$FILE_CHANGED" = 1 ]; then units_changed=1; fi
  done
  if is_live_root && [ "$units_changed" = 1 ]; then
    change "reload systemd (systemctl daemon-reload)" systemctl daemon-reload ||
      die "$EXIT_SYSTEM" "systemctl daemon-reload failed" "run systemd-analyze verify /etc/systemd/system/hasn-*.service and fix what it reports"
  fi
  for unit in "${units[@]}"; do
    if [ ! -L "$R/etc/systemd/system/multi-user.target.wants/$unit.service" ]; then
      change "enable $unit.service" systemctl "${systemctl_root[@]}" enable "$unit.service" ||
        die "$EXIT_SYSTEM" "systemctl enable $unit.service failed" "read the message above and re-run"
    fi
  done
  for unit in "${units[@]}"; do
    if ! is_live_root; then
      say "staging root: $unit.service is enabled there, not started"
    elif [ "$CHANGES" -gt 0 ]; then
      change "restart $unit.service" systemctl restart "$unit.service" ||
        die "$EXIT_SYSTEM" "$unit.service did not start" "see journalctl -u $unit -b, fix the cause and re-run (or roll back: install.sh --rollback)"
    elif ! systemctl is-active --quiet "$unit.service"; then
      change "start $unit.service" systemctl start "$unit.service" ||
        die "$EXIT_SYSTEM" "$unit.service did not start" "see journalctl -u $unit -b, fix the cause and re-run"
    fi
  done
}

rollback() {
  local current previous
  current=$(readlink "$R/opt/hasn/current" 2>/dev/null || true)
  previous=$(readlink "$R/opt/hasn/previous" 2>/dev/null || true)
  if [ -z "$previous" ] || [ ! -d "$R/opt/hasn/$previous/" ]; then
    die "$EXIT_CONFLICT" "nothing to roll back to: /opt/hasn/previous does not name an installed version" \
      "install the version you want (--bundle FILE or --source DIR); it becomes current"
  fi
  VERSION=$previous
  SOURCE_DIR=$R/opt/hasn/$previous
  step "Rollback: $current -> $previous"
  ensure_symlink /opt/hasn/current "$previous"
  ensure_symlink /opt/hasn/previous "$current"
  step "systemd"
  install_units
}

lock_installs() {
  if is_live_root && [ "$DRY_RUN" = 0 ]; then
    mkdir -p /run/lock
    exec 9>/run/lock/hasn-install.lock
    flock -n 9 || die "$EXIT_CONFLICT" "another install.sh or uninstall.sh is running" "wait for it to finish, then re-run"
  fi
}

summary() {
  if [ "$CHANGES" = 0 ]; then
    say "nothing to do: HASN $VERSION is installed and up to date (0 changes)"
  elif [ "$DRY_RUN" = 1 ]; then
    say "dry run: $CHANGES change(s) planned, nothing was changed"
  else
    say "done: $CHANGES change(s) made; HASN $VERSION is active"
  fi
  if [ "$REBOOT_NEEDED" = 1 ]; then say "reboot for the boot configuration to take effect (sudo reboot)"; fi
}

main() {
  parse_args "$@"
  validate_options
  set_root "$ROOT_ARG"
  require_tools tar gzip sha256sum awk sed grep cmp mktemp stat readlink sort find
  require_root_user
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/hasn-install.XXXXXX")
  lock_installs
  if [ "$DRY_RUN" = 1 ]; then say "dry run: nothing will be changed"; fi
  if [ "$ROLLBACK" = 1 ]; then
    rollback
    summary
    return 0
  fi
  check_target_ready
  resolve_source
  say "installing HASN $VERSION ($SOURCE_KIND: $SOURCE_LABEL) into $ROOT"

  step "Node.js"
  ensure_node
  plan_rebuild
  if [ "$APP_NEEDS_INSTALL" = 1 ] && { [ "$NEED_NPM_CI" = 1 ] || [ "${#REBUILD[@]}" -gt 0 ]; }; then
    ensure_npm
    ensure_build_tools
  fi
  step "Service user and groups"
  ensure_accounts
  ensure_boot_config
  step "Application"
  install_app
  step "Configuration"
  write_configuration
  ensure_state_dirs
  step "systemd"
  install_units
  summary
}

main "$@"
