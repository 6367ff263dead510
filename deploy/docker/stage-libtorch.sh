#!/bin/sh
# Puts one libtorch and the DJL JNI library built for it into a folder that the image names in
# PYTORCH_LIBRARY_PATH, so that DJL loads natives from there and never extracts or downloads any at
# run time. Runs at image build time (both Dockerfiles); runs outside Docker too, for a check by hand.
#
#   stage-libtorch.sh APP_DIR FLAVOR OUT_DIR [LIBTORCH_ZIP]
#
#   APP_DIR       the application as built: app/target/quarkus-app (Quarkus fast-jar layout)
#   FLAVOR        cpu: libtorch from the application's own pytorch-native-cpu jar
#                 cu128 (any cuNNN): libtorch from LIBTORCH_ZIP, PyTorch's CUDA build
#                 (libtorch-cxx11-abi-shared-with-deps-VERSION+cuNNN.zip)
#   OUT_DIR       where libtorch's shared libraries and libdjl_torch.so go
#
# The JNI library always comes from the application's own ai.djl.pytorch:pytorch-jni jar, which DJL
# builds for one libtorch version (the jar's version is TORCH-DJL, e.g. 2.7.1-0.36.0) and ships for
# the cpu and cu128 flavours. The script refuses a libtorch whose version is not that TORCH, and a
# flavour the jar has no JNI library for. Last, where the application still has its CPU native jar
# (a CUDA image from a build without -Dplanstream.gpu), it empties that jar of its libraries
# (110 MB): with PYTORCH_LIBRARY_PATH set DJL never reads them. The jar itself stays, with its
# manifest and native/lib/pytorch.properties, because Quarkus's fast-jar class loader indexed it at
# build time and fails to start the engine when it is missing.
set -eu

die() {
  echo "stage-libtorch: $*" >&2
  exit 1
}

[ $# -ge 3 ] || die "usage: stage-libtorch.sh APP_DIR FLAVOR OUT_DIR [LIBTORCH_ZIP]"
app=$1
flavor=$2
out=$3
zip=${4:-}
lib="$app/lib/main"
[ -d "$lib" ] || die "$lib is missing: build the application first (./mvnw -pl app -am package -DskipTests)"

only() {
  # The one file matching a pattern; the build would otherwise be ambiguous.
  set -- $1
  [ $# -eq 1 ] && [ -f "$1" ] || die "expected exactly one file, found: $*"
  echo "$1"
}

jni_jar=$(only "$lib/ai.djl.pytorch.pytorch-jni-*.jar")
# Absent from a build with -Dplanstream.gpu (simclr/pom.xml), which leaves the CPU libtorch out.
native_jar=
set -- "$lib"/ai.djl.pytorch.pytorch-native-cpu-*.jar
if [ -f "$1" ]; then
  native_jar=$(only "$lib/ai.djl.pytorch.pytorch-native-cpu-*.jar")
fi
# ai.djl.pytorch.pytorch-jni-2.7.1-0.36.0.jar -> torch 2.7.1, DJL 0.36.0
jni_version=$(basename "$jni_jar" .jar)
jni_version=${jni_version#ai.djl.pytorch.pytorch-jni-}
torch=${jni_version%%-*}
djl=${jni_version#*-}

mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case "$flavor" in
  cpu)
    [ -n "$native_jar" ] || die "no pytorch-native-cpu jar in $lib: build the application without -Dplanstream.gpu"
    unzip -q -o "$native_jar" 'native/lib/pytorch.properties' -d "$tmp"
    found=$(sed -n 's/^version=//p' "$tmp/native/lib/pytorch.properties")
    case "$found" in
      "$torch" | "$torch"-*) ;;
      *) die "the CPU native jar holds libtorch $found, the JNI jar is built for $torch" ;;
    esac
    unzip -q -o -j "$native_jar" 'pytorch/cpu/linux-x86_64/*' -d "$out"
    ;;
  cu[0-9]*)
    [ -n "$zip" ] && [ -f "$zip" ] || die "flavor $flavor needs the CUDA libtorch zip as 4th argument"
    found=$(unzip -p "$zip" 'libtorch/build-version' | tr -d '[:space:]')
    [ "$found" = "$torch+$flavor" ] || die "the zip holds libtorch $found, expected $torch+$flavor (DJL $djl's JNI)"
    unzip -q -o "$zip" 'libtorch/lib/*' -d "$tmp"
    # The same libraries DJL's own pytorch-native-cuNNN package takes from this zip (its
    # engines/pytorch/pytorch-native/build.gradle.kts); libtorch's CUDA, cuBLAS, cuDNN and NCCL come
    # with it (libcu*, libnv*), so the image needs only the NVIDIA driver from the host.
    for pattern in 'libc10_cuda.so' 'libc10.*' 'libcaffe2_nvrtc.so' 'libcu*' 'libgomp*' 'libnv*' \
        'libtorch_cpu.*' 'libtorch_cuda*.so' 'libtorch.*'; do
      for f in "$tmp"/libtorch/lib/$pattern; do
        case "$f" in *.a) continue ;; esac
        if [ -f "$f" ]; then cp "$f" "$out/"; fi
      done
    done
    ;;
  *)
    die "unknown flavor '$flavor': cpu or cuNNN"
    ;;
esac

unzip -p "$jni_jar" "jnilib/linux-x86_64/$flavor/libdjl_torch.so" >"$out/libdjl_torch.so" ||
  die "$(basename "$jni_jar") has no JNI library for $flavor"
[ -s "$out/libdjl_torch.so" ] || die "$(basename "$jni_jar") has no JNI library for $flavor"
[ -f "$out/libtorch.so" ] || die "no libtorch.so staged in $out"
if [ -n "$native_jar" ] && unzip -l "$native_jar" 'pytorch/*' >/dev/null 2>&1; then
  zip -q -d "$native_jar" 'pytorch/*'
fi
echo "stage-libtorch: libtorch $torch ($flavor) and DJL $djl's JNI in $out"
