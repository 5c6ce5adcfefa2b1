#!/bin/sh
# usher-entrypoint: the container's entry point (installed as /usr/local/bin/usher-entrypoint).
#
#   usher-entrypoint [serve]                   run `usher serve` (the image's CMD)
#   usher-entrypoint link --dry-run            any usher subcommand or option (`usher link` works too)
#   usher-entrypoint sh -c '...'               any other executable: exec'd as it is (no set-up, no re-id)
#
# As root it: makes the user and group `usher` have the ids PUID and PGID; applies UMASK; sets the time zone
# from TZ; creates the config folder and hands it, and the files Usher keeps there, to PUID:PGID (never
# recursively into anything else: media is not touched); writes a commented starter usher.yml when there is
# none and stops (exit 2) so that it can be edited; then drops to PUID:PGID with setpriv and execs usher.
# Started as another user (`docker run --user`), it skips re-id and ownership and just execs usher.
#
# Environment (defaults in brackets; the USHER_* paths are there for scripts/test-entrypoint):
#   PUID [1000], PGID [1000], UMASK [002], TZ [Etc/UTC]
#   USHER_BIN [/usr/local/bin/usher]   USHER_CONFIG_DIR [/config]   USHER_CONFIG [$USHER_CONFIG_DIR/usher.yml]
#   USHER_USER [usher] (user and group name)   USHER_ZONEINFO [/usr/share/zoneinfo]
#   USHER_LOCALTIME [/etc/localtime]   USHER_LISTEN (read by usher itself; shown in the starter config)
set -eu

USHER_BIN=${USHER_BIN:-/usr/local/bin/usher}
CONFIG_DIR=${USHER_CONFIG_DIR:-/config}
CONFIG_FILE=${USHER_CONFIG:-$CONFIG_DIR/usher.yml}
USHER_USER=${USHER_USER:-usher}
ZONEINFO=${USHER_ZONEINFO:-/usr/share/zoneinfo}
LOCALTIME=${USHER_LOCALTIME:-/etc/localtime}
PUID=${PUID:-1000}
PGID=${PGID:-1000}
UMASK=${UMASK:-002}
TZ=${TZ:-Etc/UTC}

say() { printf 'usher-entrypoint: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 2
}

# --- What to run ----------------------------------------------------------------------------------------
# Usher's subcommands first: `link` is also /usr/bin/link (coreutils), and must mean `usher link` here.
is_usher_command() {
    case "$1" in
    serve | link | match | prefetch | dedupe | stats | config | import | links | demo | help | -*) return 0 ;;
    *) return 1 ;;
    esac
}

if [ "$#" -eq 0 ]; then
    set -- serve
elif [ "$1" = usher ] || [ "$1" = "$USHER_BIN" ]; then
    shift
    [ "$#" -gt 0 ] || set -- serve
elif ! is_usher_command "$1" && command -v "$1" >/dev/null 2>&1; then
    # A shell or another tool, for debugging: exactly as asked, as the user the container started as.
    exec "$@"
fi
# Anything else goes to usher, which names an unknown subcommand itself.

case "$PUID" in '' | *[!0-9]*) die "PUID='$PUID': expected a number (a user id, such as 1000)" ;; esac
case "$PGID" in '' | *[!0-9]*) die "PGID='$PGID': expected a number (a group id, such as 1000)" ;; esac
case "$UMASK" in
[0-7][0-7][0-7] | [0-7][0-7][0-7][0-7]) ;;
*) die "UMASK='$UMASK': expected three or four octal digits, such as 002 or 022" ;;
esac
umask "$UMASK"
export TZ
# The file checked here is the one usher reads (without --config).
USHER_CONFIG=$CONFIG_FILE
export USHER_CONFIG

current_uid=$(id -u)

# --- Root only: ids, time zone, ownership ------------------------------------------------------------------
# The user and group named USHER_USER get the ids PUID and PGID (-o: another name may hold the same id, e.g.
# the host's media group). When the ids change they are made anew rather than changed: groupmod -g would
# also move every user whose primary group has the old gid (another name may share it), and usermod -u
# re-owns the home tree. Its home is /nonexistent; HOME is set to the config folder when usher starts.
reid() {
    have_user=$(getent passwd "$USHER_USER" | cut -d: -f3,4) || have_user=""
    have_group=$(getent group "$USHER_USER" | cut -d: -f3) || have_group=""
    if [ "$have_user" = "$PUID:$PGID" ] && [ "$have_group" = "$PGID" ]; then
        return 0
    fi
    if [ -n "$have_user" ]; then
        userdel "$USHER_USER" 2>/dev/null || die "could not remove the user $USHER_USER to give it uid $PUID"
    fi
    if getent group "$USHER_USER" >/dev/null 2>&1; then
        # -f: remove it by name even when another user's primary gid is the same number (that user keeps it).
        groupdel -f "$USHER_USER" 2>/dev/null || groupdel "$USHER_USER" 2>/dev/null ||
            die "could not remove the group $USHER_USER to give it gid $PGID"
    fi
    groupadd -o -g "$PGID" "$USHER_USER"
    useradd -o -u "$PUID" -g "$PGID" -M -d /nonexistent -s /usr/sbin/nologin "$USHER_USER"
}

set_timezone() {
    if [ -f "$ZONEINFO/$TZ" ]; then
        ln -sf "$ZONEINFO/$TZ" "$LOCALTIME" 2>/dev/null || say "note: could not link $LOCALTIME to $ZONEINFO/$TZ; TZ is exported all the same"
    else
        say "note: no zone file $ZONEINFO/$TZ; TZ='$TZ' is exported as it is"
    fi
}

# The config folder itself and the files Usher keeps in it: never recursive, except archive/ (Usher's own
# copies of links.yml). A read-only file (a :ro bind mount) is left as it is, with a note.
own_config() {
    chown "$PUID:$PGID" "$CONFIG_DIR" 2>/dev/null || say "note: could not chown $CONFIG_DIR to $PUID:$PGID"
    for name in usher.yml secrets.yml links.yml proposals.yml anime-list-master.xml \
        usher.db usher.db-wal usher.db-shm usher.db-journal usher.db.lock usher.db.prefetch.lock; do
        path=$CONFIG_DIR/$name
        if [ -e "$path" ] || [ -L "$path" ]; then
            chown -h "$PUID:$PGID" "$path" 2>/dev/null || say "note: could not chown $path (read-only?)"
        fi
    done
    # USHER_CONFIG may name another file in the folder.
    case "$CONFIG_FILE" in
    "$CONFIG_DIR"/*) if [ -e "$CONFIG_FILE" ]; then chown -h "$PUID:$PGID" "$CONFIG_FILE" 2>/dev/null || true; fi ;;
    esac
    if [ -d "$CONFIG_DIR/archive" ] && [ ! -L "$CONFIG_DIR/archive" ]; then
        chown -R "$PUID:$PGID" "$CONFIG_DIR/archive" 2>/dev/null || say "note: could not chown $CONFIG_DIR/archive"
    fi
}

# --- The config file ---------------------------------------------------------------------------------------
starter_config() {
    cat <<EOF
# usher.yml: written by the container's first start, because there was none. Edit it, then start the
# container again. Check it with:  docker compose run --rm usher config check
# Everything is explained in the README (Configuration, API mode, usher serve).
#
# Paths are the ones Usher sees inside the container. Mount the same /data into Sonarr, Radarr and Usher:
# Usher makes hardlinks, so movies and shows must be on one filesystem and Usher must see them at the paths
# Sonarr and Radarr report (otherwise add a 'paths:' mapping).
#
# server.listen is not set: the container's USHER_LISTEN (${USHER_LISTEN:-not set, so 127.0.0.1:8686}) is used.
# The API key for webhooks is made at the first start of 'usher serve' and written to secrets.yml beside
# this file (usher_api_key).

# API keys go in secrets.yml beside this file (sonarr_main: "...", radarr_main: "..."), read with !secret.
# sonarr:
#   main: {url: http://sonarr:8989, api_key: !secret sonarr_main}
# radarr:
#   main: {url: http://radarr:7878, api_key: !secret radarr_main}
# plex:                               # optional: scan just the show folders that changed
#   url: http://plex:32400            # http://host.docker.internal:32400 when Plex uses the host network
#   token: !secret plex_token

# link:
#   mappings: links.yml               # which movie is which special (see the README, Mapping file)
#   tag: usher-linked                 # optional: tag what Usher links in Sonarr and Radarr
# state: usher.db                     # the ledger, beside this file

# server:
#   url_base: /usher                  # only behind a reverse proxy that serves Usher under /usher
# schedule:
#   link: 30m                         # the default when sonarr: and radarr: are set; webhooks start it too
EOF
}

# Commands that need no config file: leave them alone.
wants_config=yes
case "$1" in -h | --help | help | --version | demo) wants_config=no ;; esac
for argument in "$@"; do
    case "$argument" in --config | --config=*) wants_config=no ;; esac
done

mkdir -p "$CONFIG_DIR" 2>/dev/null || true
if [ "$current_uid" = 0 ]; then
    if [ "$PUID" != 0 ]; then reid; fi
    set_timezone
    own_config
fi

if [ "$wants_config" = yes ] && [ ! -e "$CONFIG_FILE" ]; then
    if [ -d "$(dirname "$CONFIG_FILE")" ] && starter_config >"$CONFIG_FILE" 2>/dev/null; then
        [ "$current_uid" != 0 ] || chown "$PUID:$PGID" "$CONFIG_FILE" 2>/dev/null || true
        say "there was no $CONFIG_FILE: wrote a starter config there."
        say "Edit it (at least sonarr: and radarr:, or library:), then start the container again."
    else
        say "there is no $CONFIG_FILE, and a starter config could not be written there."
        say "Mount a writable folder at $CONFIG_DIR (or write usher.yml there yourself), then start again."
    fi
    exit 2
fi
if [ "$wants_config" = yes ] && [ -f "$CONFIG_FILE" ] && ! grep -qv '^[[:space:]]*\(#.*\)\{0,1\}$' "$CONFIG_FILE"; then
    die "$CONFIG_FILE is empty or holds only comments (the starter config?): edit it, then start the container again."
fi

if [ "$current_uid" != 0 ]; then
    # Started as a user already (docker run --user, rootless): no re-id, no chown.
    [ "$current_uid" = "$PUID" ] || say "note: running as uid $current_uid, not PUID $PUID (the container was started as that user)"
    exec "$USHER_BIN" "$@"
fi

if [ "$PUID" = "$current_uid" ]; then
    say "note: PUID=0: running usher as root"
    exec "$USHER_BIN" "$@"
fi
# HOME: root's is no use to the usher user; `~` in the config then means the config folder.
HOME=$CONFIG_DIR
export HOME
exec setpriv --reuid="$PUID" --regid="$PGID" --init-groups "$USHER_BIN" "$@"
