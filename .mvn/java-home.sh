# Sourced by ./mvnw, ./planstream and .ci/run (POSIX sh): points JAVA_HOME at a JDK 25 or newer.
# The build targets Java 25 and Lucene's SIMD vector scoring needs its Vector API, so an older default
# java (these machines default to 17) is passed over for a JDK 25 installed beside it. Order: JAVA_HOME
# when it is 25+, the java on PATH when it is, then the usual install folders (Debian/Ubuntu packages
# and Temurin's .deb under /usr/lib/jvm, Temurin images' /opt/java/openjdk, SDKMAN, macOS).
# PLANSTREAM_JAVA_MIN_VERSION is the feature release required (25).

PLANSTREAM_JAVA_MIN_VERSION=25

# Prints the feature release of the JDK at $1 (25 for 25.0.1), or nothing when it is no JDK.
planstream_jdk_version() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
  else
    "$1/bin/java" -version 2>&1 | sed -n '1s/^[^"]*"\([0-9]*\).*/\1/p'
  fi
}

planstream_java_home() {
  _ps_found=""
  _ps_seen=""
  _ps_had_f=""
  case $- in *f*) _ps_had_f=1; set +f ;; esac
  _ps_path_java="$(command -v java 2>/dev/null || true)"
  _ps_path_home=""
  if [ -n "$_ps_path_java" ]; then
    _ps_path_home="$(cd "$(dirname "$(readlink -f "$_ps_path_java")")/.." && pwd)"
  fi
  for _ps_home in "${JAVA_HOME:-}" "$_ps_path_home" /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/java-2[5-9]* \
      /usr/lib/jvm/jdk-2[5-9]* /opt/java/openjdk "$HOME"/.sdkman/candidates/java/2[5-9]* \
      /Library/Java/JavaVirtualMachines/*2[5-9]*/Contents/Home; do
    [ -n "$_ps_home" ] && [ -d "$_ps_home" ] || continue
    case "$_ps_seen" in *" at $_ps_home;"*) continue ;; esac
    _ps_version="$(planstream_jdk_version "$_ps_home")"
    [ -n "$_ps_version" ] || continue
    if [ "$_ps_version" -ge "$PLANSTREAM_JAVA_MIN_VERSION" ]; then
      _ps_found="$_ps_home"
      break
    fi
    _ps_seen="$_ps_seen Java $_ps_version at $_ps_home;"
  done
  [ -z "$_ps_had_f" ] || set -f
  if [ -z "$_ps_found" ]; then
    echo "planstream: needs a JDK $PLANSTREAM_JAVA_MIN_VERSION or newer (found:${_ps_seen:- none}). Install one" \
      "(e.g. Temurin $PLANSTREAM_JAVA_MIN_VERSION, or your distribution's openjdk-$PLANSTREAM_JAVA_MIN_VERSION-jdk)" \
      "and set JAVA_HOME to it." >&2
    return 1
  fi
  JAVA_HOME="$_ps_found"
  export JAVA_HOME
}
