#!/bin/sh
# Starts Alertmanager 0.25 with the WeCom corp id and app secret filled in from Docker secrets:
# that version takes them only inline, and they must never be committed. The rendered copy lives
# in a tmpfs (/run/alertmanager, see docker-compose.yml), readable by the container user only.
set -eu
umask 077
src=/etc/alertmanager/alertmanager.yml
out=/run/alertmanager/alertmanager.yml
corp=$(cat "${WECOM_CORP_ID_FILE:-/run/secrets/wecom_corp_id}")
secret=$(cat "${WECOM_API_SECRET_FILE:-/run/secrets/wecom_api_secret}")
sed -e "s|__WECOM_CORP_ID__|${corp}|" -e "s|__WECOM_API_SECRET__|${secret}|" "$src" > "$out"
# Relative template paths resolve against the config file's directory.
ln -sfn /etc/alertmanager/templates /run/alertmanager/templates
exec /bin/alertmanager --config.file="$out" --storage.path=/alertmanager "$@"
