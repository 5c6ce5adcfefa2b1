# Usher: `usher serve` in a container. See docs/deploy.md.
#
#   docker build -t usher:local .
#   docker run -d --name usher --init -p 127.0.0.1:8686:8686 -v /srv/usher:/config -v /srv/data:/data \
#     -e PUID=1000 -e PGID=1000 -e TZ=Europe/Berlin usher:local
#
# Not built on the development machines (they have no Docker): checked by reading only. The entry point
# (docker/entrypoint.sh) is tested without Docker by scripts/test-entrypoint.

ARG SWIFT_IMAGE=swift:6.3-noble
ARG RUNTIME_IMAGE=ubuntu:noble

# ---------------------------------------------------------------------------------------------------------
# Build: a release binary with the Swift runtime linked in (--static-swift-stdlib), so the runtime image
# needs no Swift toolchain.
FROM ${SWIFT_IMAGE} AS build

# GRDB links the system SQLite: its headers are needed to build (the Swift image has the library only).
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libsqlite3-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Dependencies first, in their own layer: resolved again only when the manifest (or Package.resolved,
# when there is one) changes.
COPY Package.* ./
RUN if [ -f Package.resolved ]; then swift package resolve --force-resolved-versions; else swift package resolve; fi

# Tests/ is copied too: SwiftPM reads the whole manifest, and its test targets need their folders.
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product usher --static-swift-stdlib \
    && mkdir -p /staging \
    && cp "$(swift build -c release --product usher --static-swift-stdlib --show-bin-path)/usher" /staging/usher \
    && cp /usr/libexec/swift/linux/swift-backtrace-static /staging/ \
    && /staging/usher --version

# ---------------------------------------------------------------------------------------------------------
# Runtime: Ubuntu, as the build image, with only what the binary loads (libsqlite3, and libstdc++, libgcc
# and zlib, which the base image has already) plus CA certificates (https to Sonarr/Radarr/Plex/Tautulli)
# and tzdata (TZ, cron schedules). Foundation is used without FoundationNetworking/FoundationXML: no
# libcurl4, no libxml2. setpriv (util-linux) drops to PUID:PGID; bash runs the health check.
FROM ${RUNTIME_IMAGE}
ARG RUNTIME_IMAGE

# Ubuntu's images have a user `ubuntu` with uid 1000: it goes, and the default user `usher` takes that id
# (the entry point gives it PUID and PGID at start). Home /nonexistent: the entry point sets HOME=/config.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends \
        ca-certificates \
        tzdata \
        libsqlite3-0 \
        libstdc++6 \
        libgcc-s1 \
        zlib1g \
    && { command -v setpriv >/dev/null || apt-get -q install -y --no-install-recommends setpriv; } \
    && rm -rf /var/lib/apt/lists/* \
    && (userdel --remove ubuntu 2>/dev/null || true) \
    && (groupdel ubuntu 2>/dev/null || true) \
    && groupadd --gid 1000 usher \
    && useradd --uid 1000 --gid usher --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin usher \
    && mkdir -p /config \
    && chown usher:usher /config

COPY --from=build /staging/usher /usr/local/bin/usher
COPY --from=build /staging/swift-backtrace-static /usr/local/libexec/usher/swift-backtrace-static
COPY docker/entrypoint.sh /usr/local/bin/usher-entrypoint
COPY docker/healthcheck.sh /usr/local/bin/usher-healthcheck
RUN chmod 755 /usr/local/bin/usher-entrypoint /usr/local/bin/usher-healthcheck \
    && command -v setpriv \
    && /usr/local/bin/usher --version

# USHER_LISTEN applies only while usher.yml sets no server.listen. USHER_URL_BASE is read by the health
# check alone: set it to server.url_base when that is set (e.g. /usher).
ENV USHER_CONFIG=/config/usher.yml \
    USHER_LISTEN=0.0.0.0:8686 \
    USHER_URL_BASE="" \
    PUID=1000 \
    PGID=1000 \
    UMASK=002 \
    TZ=Etc/UTC \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/libexec/usher/swift-backtrace-static

VOLUME /config
WORKDIR /config
EXPOSE 8686

# GET {USHER_URL_BASE}/ping must answer 200 (it answers 500 when usher.db cannot be read).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["/usr/local/bin/usher-healthcheck"]

# The entry point starts as root to apply PUID/PGID/UMASK/TZ, then runs usher as PUID:PGID.
# `docker run --user UID:GID` also works: it then skips re-id and chown (the config folder must be writable).
ENTRYPOINT ["/usr/local/bin/usher-entrypoint"]
CMD ["serve"]
# SIGTERM (docker stop) ends `usher serve` gracefully; a running job may take up to 120 s to finish, so
# stop with a longer grace period than Docker's 10 s default: `docker stop -t 150` / compose stop_grace_period.
STOPSIGNAL SIGTERM

ARG VERSION=dev
LABEL org.opencontainers.image.title="usher" \
      org.opencontainers.image.description="Links Radarr movie files into Sonarr show folders as specials; usher serve runs it as a service" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"
