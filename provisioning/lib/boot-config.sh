# shellcheck shell=bash
# The HASN block in the Raspberry Pi boot configuration (config.txt): which settings it holds, adding them, removing it.

readonly BOOT_CONFIG=/boot/firmware/config.txt
readonly BOOT_BLOCK_BEGIN='# BEGIN HASN (added by provisioning/install.sh; uninstall.sh --purge removes it)'
readonly BOOT_BLOCK_END='# END HASN'
# Header I2C bus (/dev/i2c-1) and, on a Pi 5, the header UART (/dev/ttyAMA0); `enable_uart` would be the debug UART.
readonly BOOT_LINE_I2C='dtparam=i2c_arm=on'
readonly BOOT_LINE_UART='dtparam=uart0=on'

# boot_block_lines FILE: the settings inside our block, one per line.
boot_block_lines() {
  awk -v b="$BOOT_BLOCK_BEGIN" -v e="$BOOT_BLOCK_END" '
    $0 == b { inside = 1; next }
    $0 == e { inside = 0; next }
    inside && /^[a-z]/ { print }' "$1"
}

# boot_without_block FILE: the file as it would be without our block.
boot_without_block() {
  awk -v b="$BOOT_BLOCK_BEGIN" -v e="$BOOT_BLOCK_END" '
    $0 == b { skip = 1; next }
    $0 == e { skip = 0; next }
    !skip { print }' "$1"
}

# render_boot_config FILE OUT [LINE...]: OUT = FILE without our block, plus a block with the LINEs that are not
# already active elsewhere in the file (a setting made by raspi-config or by hand is left where it is).
render_boot_config() {
  local file=$1 out=$2 line
  shift 2
  local wanted=()
  boot_without_block "$file" >"$out"
  for line in "$@"; do
    if ! grep -qxF -- "$line" "$out"; then wanted+=("$line"); fi
  done
  if [ "${#wanted[@]}" -gt 0 ]; then
    {
      printf '%s\n[all]\n' "$BOOT_BLOCK_BEGIN"
      printf '%s\n' "${wanted[@]}"
      printf '%s\n' "$BOOT_BLOCK_END"
    } >>"$out"
  fi
}
