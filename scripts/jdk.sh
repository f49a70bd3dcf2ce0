# Sourced by the project's scripts: exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: $JAVA_HOME if it is new enough, then the `java` on PATH, then every JDK under /usr/lib/jvm
# (newest first). Fails with a clear message when none is found.

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1
}

find_jdk() {
  local candidate java_bin
  for candidate in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v javac || true)" 2>/dev/null)")" 2>/dev/null)" \
      $(ls -d /usr/lib/jvm/*/ /opt/java/*/ /opt/jdk*/ 2>/dev/null | sort -rV); do
    candidate="${candidate%/}"
    java_bin="$candidate/bin/java"
    [[ -n "$candidate" && -x "$java_bin" && -x "$candidate/bin/javac" ]] || continue
    if [[ "$(java_major "$java_bin")" -ge 21 ]] 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! JAVA_HOME="$(find_jdk)"; then
  echo "No JDK 21 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm). Install one, e.g. 'apt-get install openjdk-21-jdk-headless' or Temurin, then retry." >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
