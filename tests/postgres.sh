#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests, in a temporary folder, run by an
# unprivileged user, listening on a Unix socket in that folder and on a free loopback port.
#
#   bash tests/postgres.sh start      starts one and prints `export` lines for the shell:
#                                     XROAD_TEST_POSTGRES_URL (loopback TCP),
#                                     XROAD_TEST_POSTGRES_SOCKET (the socket folder),
#                                     XROAD_TEST_POSTGRES_CA (the CA of its TLS certificate),
#                                     XROAD_TEST_POSTGRES_DIR (the folder, for `stop`)
#   bash tests/postgres.sh stop DIR   stops the cluster in DIR and removes DIR
#   bash tests/postgres.sh run CMD…   starts one, runs CMD with the variables set, stops it
#                                     (also when CMD fails) and exits with CMD's status
#
# Installs Debian's `postgresql` when initdb and pg_ctl are missing. Whatever goes wrong is
# said on standard error and the command fails: nothing is skipped silently. The cluster
# trusts every local connection and runs without fsync; it is for tests only. It offers TLS
# with a certificate for localhost and 127.0.0.1 from a CA made for it (the openssl command).
set -euo pipefail

# The user the cluster runs as when this script runs as root (PostgreSQL refuses root).
PG_USER=xroad-pg
# The database the tests get.
PG_DATABASE=xroad_test

die() {
  echo "tests/postgres.sh: $*" >&2
  exit 1
}

# The folder with initdb and pg_ctl: the newest /usr/lib/postgresql/<version>/bin, else the
# PATH, installing the package first when there is neither.
find_bin() {
  local dir
  dir=$(find_bin_dir)
  if [ -z "$dir" ]; then
    echo "tests/postgres.sh: initdb and pg_ctl not found, installing postgresql" >&2
    [ "$(id -u)" -eq 0 ] || die "initdb and pg_ctl are missing and only root can install postgresql"
    apt-get update -qq >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 \
      || die "apt-get install postgresql failed"
    dir=$(find_bin_dir)
    [ -n "$dir" ] || die "postgresql is installed but initdb and pg_ctl are still not found"
  fi
  echo "$dir"
}

find_bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
    echo "$dir"
  elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"
  fi
}

# Runs a command as the cluster's user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$PG_USER" -- "$@"
  else
    "$@"
  fi
}

ensure_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  id -u "$PG_USER" >/dev/null 2>&1 && return 0
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER" \
    || die "cannot create the user $PG_USER"
}

# A loopback port nobody listens on now (pg_ctl is retried with another if one takes it).
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free loopback port found"
}

start() {
  local bin dir port started=""
  bin=$(find_bin)
  ensure_user
  dir=$(mktemp -d "${TMPDIR:-/tmp}/xroad-pg.XXXXXX") || die "cannot create a temporary folder"
  # From here on a failure (any exit before the end) removes what was made.
  trap 'stop_dir "$bin" "$dir"' EXIT
  if [ "$(id -u)" -eq 0 ]; then
    chown "$PG_USER" "$dir" || die "cannot give $dir to $PG_USER"
  fi
  chmod 700 "$dir"
  as_pg test -w "$dir" \
    || die "$PG_USER cannot write to $dir: a folder above it is closed to others; set TMPDIR to a folder others can enter, e.g. /tmp"
  make_tls "$dir/tls"
  as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
    >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    die "initdb failed"
  }
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -p $port -h 127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200 \
         -c ssl=on -c ssl_cert_file=$dir/tls/server.pem -c ssl_key_file=$dir/tls/server.key" \
      start >/dev/null 2>&1; then
      started=yes
      break
    fi
  done
  if [ -z "$started" ]; then
    tail -n 20 "$dir/server.log" >&2 2>/dev/null || true
    die "pg_ctl could not start the cluster (its log is above)"
  fi
  as_pg "$bin/createdb" -h "$dir" -p "$port" -U postgres "$PG_DATABASE" >&2 \
    || die "createdb $PG_DATABASE failed"
  trap - EXIT
  echo "tests/postgres.sh: PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port and $dir" >&2
  echo "export XROAD_TEST_POSTGRES_URL='postgres://postgres@127.0.0.1:$port/$PG_DATABASE'"
  echo "export XROAD_TEST_POSTGRES_SOCKET='$dir'"
  echo "export XROAD_TEST_POSTGRES_PORT='$port'"
  echo "export XROAD_TEST_POSTGRES_CA='$dir/tls/ca.pem'"
  echo "export XROAD_TEST_POSTGRES_DIR='$dir'"
}

# A CA and a server certificate it issued for localhost and 127.0.0.1, in folder $1, the
# key readable by the cluster's user only.
make_tls() {
  local tls=$1
  command -v openssl >/dev/null || die "the openssl command is missing (Debian package openssl)"
  mkdir "$tls"
  {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 2 -subj "/CN=xroad test database CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" &&
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$tls/server.key" -out "$tls/server.csr" -subj "/CN=localhost" &&
      openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
        -CAcreateserial -out "$tls/server.pem" -days 2 \
        -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
  } >"$tls/openssl.log" 2>&1 || {
    cat "$tls/openssl.log" >&2
    die "cannot make the cluster's TLS certificate"
  }
  chmod 600 "$tls/server.key"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R "$PG_USER" "$tls" || die "cannot give $tls to $PG_USER"
  fi
}

# Stops the cluster in a folder (if it runs) and removes the folder.
stop_dir() {
  local bin=$1 dir=$2
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || {
      local pid
      pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
      [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    }
  fi
  rm -rf "$dir"
}

stop() {
  local dir=${1:-}
  [ -n "$dir" ] || die "usage: tests/postgres.sh stop DIR"
  [ -d "$dir" ] || die "$dir is not a folder"
  [ -f "$dir/data/PG_VERSION" ] || [ ! -e "$dir/data" ] || die "$dir does not hold a cluster of this script"
  stop_dir "$(find_bin)" "$dir"
}

run() {
  [ $# -gt 0 ] || die "usage: tests/postgres.sh run COMMAND…"
  local env status=0
  env=$(start)
  eval "$env"
  trap 'stop "$XROAD_TEST_POSTGRES_DIR"' EXIT
  "$@" || status=$?
  exit "$status"
}

case "${1:-}" in
  start) start ;;
  stop) shift; stop "$@" ;;
  run) shift; run "$@" ;;
  *) die "usage: tests/postgres.sh start | stop DIR | run COMMAND…" ;;
esac
