# Sourced by the install scripts of this directory (not run on its own): each pinned install gets its own
# directory in the cache, is reused once complete, and is built in "<directory>.partial" under a lock, then
# moved into place only when whole, so a half-finished install is redone. The OpenClaw install in the same
# cache is made the same way by Chowder's own installer (`chowder openclaw install`, run by the tests with
# CHOWDER_OPENCLAW_INSTALL_DIR set to this directory, which InstallScript.cacheRoot() chooses like this).

cache_root="${CHOWDER_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chowder-e2e}"

# Prints the install directory $1 and ends the script when the install there is complete.
reuse_complete_install() {
  if [[ -f "$1/.complete" ]]; then
    echo "$1"
    exit 0
  fi
}

# Ends the script with a message unless npm is there; $1 names what it installs, $2 the install directory.
require_npm() {
  if ! command -v npm >/dev/null; then
    echo "npm is needed to install $1 into $2 (apt-get install npm)" >&2
    exit 1
  fi
}

# Takes the lock file $2 of the cache for the install directory $1, reuses an install finished meanwhile,
# and enters an empty "$1.partial".
begin_partial_install() {
  local target="$1" lock_name="$2"
  # Test JVMs started together (parallel Maven builds, IDE runs) must not install into one directory at once.
  mkdir -p "$cache_root"
  if command -v flock >/dev/null; then
    exec 9>"$cache_root/$lock_name"
    flock 9
    reuse_complete_install "$target"
  fi
  rm -rf "$target.partial"
  mkdir -p "$target.partial"
  cd "$target.partial"
}

# Marks the install built in "$1.partial" (the current directory) complete, moves it to $1 and prints $1.
finish_partial_install() {
  local target="$1"
  touch .complete
  cd "$cache_root"
  rm -rf "$target"
  mv "$target.partial" "$target"
  echo "$target"
}
