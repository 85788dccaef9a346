#!/usr/bin/env bash
# Set up a machine to run Tixi (and, with "test", its test suite).
#
#   bash scripts/setup.sh        Python package (editable, with dev extras) + npm assets
#                                + Debian packages the PDF renderer (WeasyPrint) needs:
#                                Pango and the Noto CJK fonts
#   bash scripts/setup.sh test   the above + Debian packages the tests need:
#                                PostgreSQL 15 server binaries, Chromium
#
# Idempotent: every step checks first and is skipped when already done, so a
# second run takes about a second. Target: Debian 12 with Python >= 3.11 + pip.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
MODE=${1:-app}
case "$MODE" in
  app|test) ;;
  *) echo "usage: $0 [test]" >&2; exit 2 ;;
esac

PY=${PYTHON:-python3}
log() { printf '[setup] %s\n' "$*" >&2; }

# --- Debian packages -----------------------------------------------------------
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi
fi

deb_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

APT_WANT=()

if ! command -v npm >/dev/null 2>&1; then
  APT_WANT+=(npm)                      # pulls in Debian's nodejs
fi

# printable documents (core/pdf.py): WeasyPrint draws with Debian's Pango and
# finds the Chinese fonts ("Noto Sans/Serif CJK SC") through fontconfig
for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk; do
  deb_installed "$pkg" || APT_WANT+=("$pkg")
done

if [ "$MODE" = test ]; then
  if [ ! -x /usr/lib/postgresql/15/bin/initdb ] || [ ! -x /usr/lib/postgresql/15/bin/pg_ctl ]; then
    APT_WANT+=(postgresql-15)
  fi
  [ -x /usr/bin/chromium ] || APT_WANT+=(chromium)
fi

if [ ${#APT_WANT[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    log "missing ${APT_WANT[*]} and apt-get is not available; install them by hand"; exit 1
  fi
  if [ "$(id -u)" -ne 0 ] && [ ${#SUDO[@]} -eq 0 ]; then
    log "missing ${APT_WANT[*]}; run this script as root (or install sudo)"; exit 1
  fi
  log "installing Debian packages: ${APT_WANT[*]}"
  # Keep package maintainer scripts from starting services (Debian's
  # postgresql package would otherwise start its "main" cluster on port 5432).
  # The tests start their own throwaway server on a free port instead.
  POLICY=/usr/sbin/policy-rc.d
  POLICY_ADDED=0
  if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
    "${SUDO[@]}" chmod 755 "$POLICY"
    POLICY_ADDED=1
  fi
  cleanup_policy() { if [ "$POLICY_ADDED" = 1 ]; then "${SUDO[@]}" rm -f "$POLICY"; fi; }
  trap cleanup_policy EXIT
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Use-Pty=0 "${APT_WANT[@]}" >/dev/null
  cleanup_policy
  POLICY_ADDED=0
  trap - EXIT
  log "Debian packages installed"
fi

if [ "$MODE" = test ]; then
  for b in initdb pg_ctl; do
    if [ ! -x "/usr/lib/postgresql/15/bin/$b" ]; then
      log "PostgreSQL 15 server binary /usr/lib/postgresql/15/bin/$b is still missing"; exit 1
    fi
  done
  [ -x /usr/bin/chromium ] || { log "/usr/bin/chromium is still missing"; exit 1; }
fi

# --- Python package --------------------------------------------------------------
# Fast path: skip pip when this checkout is already installed in editable mode
# and every requirement (including the dev extra) is satisfied.
py_ready() {
  # -P: keep the checkout off sys.path, or its tixi.egg-info would shadow the install
  "$PY" -P - "$ROOT" <<'PYEOF' 2>/dev/null
import json, sys, tomllib
from importlib import metadata
from pathlib import Path
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

root = Path(sys.argv[1])
project = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]
dist = metadata.distribution(project["name"])
if dist.version != project["version"]:
    sys.exit(1)
direct = json.loads(dist.read_text("direct_url.json") or "{}")
if not direct.get("dir_info", {}).get("editable"):
    sys.exit(1)
if Path(direct["url"].removeprefix("file://")).resolve() != root.resolve():
    sys.exit(1)
# the console script and the entry points must match the current pyproject
eps = {(ep.group, ep.name) for ep in dist.entry_points}
for name in project.get("scripts", {}):
    if ("console_scripts", name) not in eps:
        sys.exit(1)
for group, entries in project.get("entry-points", {}).items():
    for name in entries:
        if (group, name) not in eps:
            sys.exit(1)
reqs = list(project.get("dependencies", []))
reqs += project.get("optional-dependencies", {}).get("dev", [])
for line in reqs:
    req = Requirement(line)
    if req.marker and not req.marker.evaluate():
        continue
    version = metadata.version(canonicalize_name(req.name))
    if not req.specifier.contains(version, prereleases=True):
        sys.exit(1)
    for extra in req.extras:  # e.g. psycopg[binary]
        for sub in metadata.requires(req.name) or []:
            sub = Requirement(sub)
            if sub.marker and sub.marker.evaluate({"extra": extra}) and not sub.marker.evaluate({"extra": ""}):
                ver = metadata.version(canonicalize_name(sub.name))
                if not sub.specifier.contains(ver, prereleases=True):
                    sys.exit(1)
PYEOF
}

if py_ready; then
  log "Python package already installed (editable, dev extras)"
else
  log "pip install -e '.[dev]'"
  # A Debian-managed interpreter refuses pip installs outside a venv (PEP 668);
  # on a throwaway CI/test machine installing into it is what we want.
  if "$PY" -c 'import sys, sysconfig, os; sys.exit(0 if sys.prefix == sys.base_prefix and os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)'; then
    export PIP_BREAK_SYSTEM_PACKAGES=1
  fi
  PIP_ROOT_USER_ACTION=ignore "$PY" -m pip install -q --disable-pip-version-check -e '.[dev]'
fi

# --- Front-end assets --------------------------------------------------------------
# npm records what it installed in node_modules/.package-lock.json; we touch it
# after a successful install, so "newer than package*.json" means up to date.
STAMP=node_modules/.package-lock.json
if [ -f "$STAMP" ] && [ "$STAMP" -nt package.json ] && [ "$STAMP" -nt package-lock.json ]; then
  log "npm packages already installed"
else
  log "npm install"
  npm install --no-audit --no-fund --loglevel=error >/dev/null
  touch "$STAMP"
fi

# --- Message catalogs ------------------------------------------------------------------
# *.mo files are git-ignored; compile every .po that is newer than its .mo.
compiled=0
while IFS= read -r -d '' po; do
  mo="${po%.po}.mo"
  if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
    "$PY" -m babel.messages.frontend compile -i "$po" -o "$mo" >/dev/null 2>&1 \
      || { log "could not compile $po"; exit 1; }
    compiled=$((compiled + 1))
  fi
done < <(find i18n addons -name '*.po' -path '*LC_MESSAGES*' -print0 2>/dev/null)
[ "$compiled" -eq 0 ] || log "compiled $compiled message catalog(s)"

log "ready ($MODE)"
