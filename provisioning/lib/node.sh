# shellcheck shell=bash
# Node.js and build tools on the device: which versions qualify and where they come from (Debian, or NodeSource opt-in).

# Must match package.json "engines" (">=20.19 <25"); test/provisioning checks that they agree.
readonly NODE_MIN_MAJOR=20
readonly NODE_MIN_MINOR=19
readonly NODE_MAX_MAJOR=24
readonly NODE_RECOMMENDED_MAJOR=24
# NodeSource apt repository for Node.js 24 LTS, used only with --node-source nodesource.
readonly NODESOURCE_MAJOR=24
readonly NODESOURCE_KEY_URL=https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key
# Primary key "NSolid <nsolid-gpg@nodesource.com>" that signs deb.nodesource.com (its self-signatures were
# renewed with SHA-512 in January 2026; the fingerprint stayed the same).
readonly NODESOURCE_FINGERPRINT=6F71F525282841EEDAF851B42F59B5F99B1BE0B4
readonly NODESOURCE_KEYRING=/etc/apt/keyrings/nodesource.gpg
readonly NODESOURCE_SOURCES=/etc/apt/sources.list.d/nodesource.sources
readonly NODESOURCE_PREFERENCES=/etc/apt/preferences.d/nodesource

NODE_SOURCE=debian
APT_UPDATED=0

node_version() { node --version 2>/dev/null || true; }

# node_supported vX.Y.Z: inside the engines range.
node_supported() {
  local major minor rest
  IFS=. read -r major minor rest <<<"${1#v}"
  [[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] || return 1
  ((major >= NODE_MIN_MAJOR && major <= NODE_MAX_MAJOR)) || return 1
  ((major > NODE_MIN_MAJOR || minor >= NODE_MIN_MINOR))
}

node_major() {
  local version=${1#v}
  printf '%s' "${version%%.*}"
}

# apt_install EXIT-CODE PACKAGE...: from the OS repositories the operator already trusts.
apt_install() {
  local code=$1
  shift
  command -v apt-get >/dev/null 2>&1 || die "$EXIT_PRECONDITION" "apt-get not found; cannot install $*" "install $* by other means, then re-run"
  if [ "$APT_UPDATED" = 0 ]; then
    change "refresh the package lists (apt-get update)" apt-get update -q ||
      die "$code" "apt-get update failed" "check the network and /etc/apt/sources.list.d, then re-run"
    APT_UPDATED=1
  fi
  change "install $* (apt-get)" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" ||
    die "$code" "apt-get install $* failed" "read the apt output above, fix it (e.g. apt-get -f install), then re-run"
}

# key_fingerprints FILE: the primary-key fingerprints in an OpenPGP key file (armored or binary).
key_fingerprints() {
  local home
  home=$(mktemp -d "$WORK/gnupg.XXXXXX")
  GNUPGHOME=$home gpg --batch --quiet --show-keys --with-colons "$1" 2>/dev/null |
    awk -F: '$1 == "pub" { want = 1; next } want && $1 == "fpr" { print $10; want = 0 }' || true
}

# The NodeSource repository: key downloaded over HTTPS and accepted only with the pinned fingerprint.
ensure_nodesource_repo() {
  local key=$WORK/nodesource.key keyring=$WORK/nodesource.gpg fingerprints changed=0
  if [ -f "$R$NODESOURCE_KEYRING" ] && [ "$(key_fingerprints "$R$NODESOURCE_KEYRING")" = "$NODESOURCE_FINGERPRINT" ]; then
    : # already trusted; delete the keyring and re-run to refresh it
  else
    command -v curl >/dev/null 2>&1 || apt_install "$EXIT_NODE" curl
    command -v gpg >/dev/null 2>&1 || apt_install "$EXIT_NODE" gpg
    if [ "$DRY_RUN" = 1 ]; then
      change "add NodeSource's signing key ($NODESOURCE_FINGERPRINT) to $NODESOURCE_KEYRING" true
    else
      curl -fsSL --proto '=https' --tlsv1.2 -o "$key" "$NODESOURCE_KEY_URL" ||
        die "$EXIT_NODE" "could not download $NODESOURCE_KEY_URL" "check the network, or install Node.js 24 yourself and use --node-source none"
      fingerprints=$(key_fingerprints "$key")
      if [ "$fingerprints" != "$NODESOURCE_FINGERPRINT" ]; then
        die "$EXIT_NODE" "NodeSource's key has fingerprint(s) '${fingerprints//$'\n'/ }', expected $NODESOURCE_FINGERPRINT; not trusting it" \
          "check with NodeSource whether their key changed; install Node.js 24 yourself and use --node-source none meanwhile"
      fi
      gpg --batch --yes --dearmor -o "$keyring" "$key"
      ensure_dir /etc/apt/keyrings 0755 root root
      ensure_file "$NODESOURCE_KEYRING" 0644 root root "$keyring"
      changed=1
    fi
  fi
  printf 'Types: deb\nURIs: https://deb.nodesource.com/node_%s.x\nSuites: nodistro\nComponents: main\nSigned-By: %s\n' \
    "$NODESOURCE_MAJOR" "$NODESOURCE_KEYRING" >"$WORK/nodesource.sources"
  ensure_file "$NODESOURCE_SOURCES" 0644 root root "$WORK/nodesource.sources"
  if [ "$FILE_CHANGED" = 1 ]; then changed=1; fi
  # Prefer NodeSource's nodejs over Debian's even if Debian ever ships a higher version string.
  printf 'Package: nodejs\nPin: origin deb.nodesource.com\nPin-Priority: 600\n' >"$WORK/nodesource.pref"
  ensure_file "$NODESOURCE_PREFERENCES" 0644 root root "$WORK/nodesource.pref"
  if [ "$FILE_CHANGED" = 1 ]; then changed=1; fi
  if [ "$changed" = 1 ]; then
    APT_UPDATED=0
    RECORD+=(nodesource-repo)
  fi
}

# ensure_node: a Node.js inside the engines range, from the source the operator chose.
ensure_node() {
  local version
  version=$(node_version)
  if [ "$NODE_SOURCE" = nodesource ] && [ "$(node_major "$version")" != "$NODESOURCE_MAJOR" ]; then
    ensure_nodesource_repo
    apt_install "$EXIT_NODE" nodejs
  elif node_supported "$version"; then
    say "Node.js $version is supported (>=$NODE_MIN_MAJOR.$NODE_MIN_MINOR <$((NODE_MAX_MAJOR + 1)))"
  elif [ "$NODE_SOURCE" = none ]; then
    die "$EXIT_NODE" "Node.js ${version:-is not installed}${version:+ is outside >=$NODE_MIN_MAJOR.$NODE_MIN_MINOR <$((NODE_MAX_MAJOR + 1))}" \
      "install Node.js $NODE_RECOMMENDED_MAJOR LTS, or re-run with --node-source debian or --node-source nodesource"
  else
    apt_install "$EXIT_NODE" nodejs
  fi
  if [ "$DRY_RUN" = 1 ] && ! node_supported "$version"; then return 0; fi
  version=$(node_version)
  if ! node_supported "$version"; then
    die "$EXIT_NODE" "the installed Node.js is ${version:-missing}; HASN needs >=$NODE_MIN_MAJOR.$NODE_MIN_MINOR <$((NODE_MAX_MAJOR + 1))" \
      "re-run with --node-source nodesource to install Node.js $NODESOURCE_MAJOR LTS from deb.nodesource.com (key fingerprint pinned)"
  fi
  if [ "$(node_major "$version")" -lt "$NODE_RECOMMENDED_MAJOR" ]; then
    warn "Node.js $version works, but Node.js $(node_major "$version") is past end of life; devices should run $NODE_RECOMMENDED_MAJOR LTS (--node-source nodesource)"
  fi
}

# Where node lives decides where its headers are: <prefix>/include/node (Debian: libnode-dev; NodeSource: nodejs).
node_prefix() {
  local bin
  bin=$(command -v node 2>/dev/null) || return 0
  dirname "$(dirname "$bin")"
}

# ensure_npm: npm for `npm ci` / `npm rebuild` (NodeSource's nodejs includes it; Debian packages it apart).
ensure_npm() {
  if command -v npm >/dev/null 2>&1; then return 0; fi
  apt_install "$EXIT_APP" npm
}

# ensure_build_tools: what node-gyp needs to compile native addons on the device, all from the OS repositories.
ensure_build_tools() {
  local missing=() tool prefix
  for tool in g++ make python3; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  if [ "${#missing[@]}" -gt 0 ]; then apt_install "$EXIT_APP" build-essential python3; fi
  prefix=$(node_prefix)
  if [ -n "$prefix" ] && [ ! -f "$prefix/include/node/common.gypi" ] && [ "$NODE_SOURCE" = debian ]; then
    apt_install "$EXIT_APP" libnode-dev
  fi
}

# npm_build_env: environment for npm so that native addons compile from the sources in the npm packages, against
# the local Node.js headers, instead of downloading prebuilt binaries or headers from GitHub or nodejs.org.
npm_build_env() {
  local prefix
  prefix=$(node_prefix)
  if [ "$ALLOW_PREBUILT_DOWNLOADS" = 0 ]; then printf '%s\n' npm_config_build_from_source=better-sqlite3; fi
  if [ -n "$prefix" ] && [ -f "$prefix/include/node/common.gypi" ]; then
    printf '%s\n' "npm_config_nodedir=$prefix"
  else
    warn "no Node.js headers under ${prefix:-?}/include/node; node-gyp will download them from nodejs.org"
  fi
}
