# shellcheck shell=bash
# Writes /etc/hasn/agent.yaml: the one place that knows the agent's configuration key names.

readonly AGENT_CONFIG=/etc/hasn/agent.yaml
readonly AGENT_DATA_DIR=/var/lib/hasn
# Where install.sh puts the enrollment files it copies (target paths).
readonly AGENT_CA_FILE=/etc/hasn/ca.crt
readonly AGENT_PASSWORD_FILE=/etc/hasn/mqtt-password
readonly AGENT_CONTROLLER_KEY_FILE=/etc/hasn/controller.pub

# yaml_string VALUE: a double-quoted YAML scalar (values were checked for control characters beforehand).
yaml_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

# render_agent_config OUT: from the enrollment values (E_*) gathered by install.sh.
render_agent_config() {
  local out=$1
  {
    printf '# HASN agent configuration, written by provisioning/install.sh.\n'
    printf '# Re-run the installer with enrollment options to change it; the agent validates it at start.\n'
    printf 'device:\n  id: %s\n' "$(yaml_string "$E_DEVICE_ID")"
    printf 'data_dir: %s\n' "$(yaml_string "$AGENT_DATA_DIR")"
    printf 'mqtt:\n  url: %s\n' "$(yaml_string "$E_MQTT_URL")"
    if [ -n "$E_CA_FILE" ]; then printf '  ca_file: %s\n' "$(yaml_string "$AGENT_CA_FILE")"; fi
    if [ -n "$E_MQTT_USERNAME" ]; then printf '  username: %s\n' "$(yaml_string "$E_MQTT_USERNAME")"; fi
    if [ -n "$E_MQTT_PASSWORD_FILE" ]; then printf '  password_file: %s\n' "$(yaml_string "$AGENT_PASSWORD_FILE")"; fi
    if [ -n "$E_CONTROLLER_KEY_FILE" ]; then
      printf '  controller_public_key_file: %s\n' "$(yaml_string "$AGENT_CONTROLLER_KEY_FILE")"
    fi
    printf 'http:\n  host: %s\n  port: %s\n' "$(yaml_string "$E_HTTP_HOST")" "$E_HTTP_PORT"
    if [ -n "$E_BRAIN_SPEC" ]; then printf 'brain:\n  spec: %s\n' "$(yaml_string "$E_BRAIN_SPEC")"; fi
    printf 'backend: %s\n' "$(yaml_string "$E_BACKEND")"
  } >"$out"
}
