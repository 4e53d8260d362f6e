#!/bin/sh
# Starts Alertmanager 0.25 with the WeCom corp id and app secret filled in from Docker secrets:
# that version takes them only inline, and they must never be committed. The rendered copy lives
# in a tmpfs (/run/alertmanager, see docker-compose.yml), readable by the container user only.
# The AM_* variables exist for the test (test/noc/configs.test.ts); compose leaves them unset.
set -eu
umask 077
conf_dir=${AM_CONFIG_DIR:-/etc/alertmanager}
run_dir=${AM_RUN_DIR:-/run/alertmanager}
corp=$(cat "${WECOM_CORP_ID_FILE:-/run/secrets/wecom_corp_id}")
secret=$(cat "${WECOM_API_SECRET_FILE:-/run/secrets/wecom_api_secret}")
case "${corp}${secret}" in *'|'* | *'\'* | *'&'*) echo "render.sh: WeCom secrets must not contain | \\ &" >&2; exit 1 ;; esac
sed -e "s|__WECOM_CORP_ID__|${corp}|" -e "s|__WECOM_API_SECRET__|${secret}|" \
  "${conf_dir}/alertmanager.yml" > "${run_dir}/alertmanager.yml"
# Relative template paths resolve against the config file's directory.
ln -sfn "${conf_dir}/templates" "${run_dir}/templates"
exec "${AM_BIN:-/bin/alertmanager}" --config.file="${run_dir}/alertmanager.yml" --storage.path=/alertmanager "$@"
