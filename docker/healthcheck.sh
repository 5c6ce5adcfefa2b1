#!/bin/bash
# usher-healthcheck: the image's HEALTHCHECK (installed as /usr/local/bin/usher-healthcheck).
# Asks GET {USHER_URL_BASE}/ping over bash's /dev/tcp (no curl in the image) and succeeds on a 200.
#
#   USHER_URL_BASE   [empty]  the server.url_base of usher.yml, such as /usher: set it when url_base is set
#   USHER_LISTEN     [0.0.0.0:8686]  the port (and the host, unless it is 0.0.0.0 or [::]) to ask
#   USHER_HEALTHCHECK_HOST / USHER_HEALTHCHECK_PORT  override both (when server.listen in usher.yml differs)
set -u

listen=${USHER_LISTEN:-0.0.0.0:8686}
port=${USHER_HEALTHCHECK_PORT:-${listen##*:}}
host=${listen%:*}
host=${host#[}
host=${host%]}
case "$host" in
'' | 0.0.0.0) host=127.0.0.1 ;;
::) host=::1 ;;
esac
host=${USHER_HEALTHCHECK_HOST:-$host}
base=${USHER_URL_BASE:-}
base=${base%/}
[ -z "$base" ] || [ "${base#/}" != "$base" ] || base=/$base

# The inner script's variables are its own ($1 $2 $3), hence the single quotes.
# shellcheck disable=SC2016
status=$(
    timeout 5 bash -c '
        exec 3<>"/dev/tcp/$1/$2" || exit 1
        printf "GET %s/ping HTTP/1.1\r\nHost: localhost\r\nUser-Agent: usher-healthcheck\r\nConnection: close\r\n\r\n" "$3" >&3
        IFS= read -r line <&3 && printf "%s" "$line"
    ' usher-healthcheck "$host" "$port" "$base" 2>/dev/null
)
case "$status" in
"HTTP/"*" 200"*) exit 0 ;;
"") echo "usher-healthcheck: no answer from $host:$port" >&2 ;;
*) echo "usher-healthcheck: GET $base/ping on $host:$port answered: ${status%$'\r'}" >&2 ;;
esac
exit 1
