# Sourced by the benchmarks that run meshd processes: the production build (docs/operations.md:
# release, Swift runtime linked statically, in .build-static) of meshd and meshctl, unless
# MESHGATE_BIN names a folder holding them; sets BIN to that folder. Run from the repository root.
BUILD=(swift build -c release --static-swift-stdlib --scratch-path .build-static)
if [ -z "${MESHGATE_BIN:-}" ]; then
  "${BUILD[@]}" --product meshd >/dev/null && "${BUILD[@]}" --product meshctl >/dev/null || exit 1
fi
BIN=${MESHGATE_BIN:-$("${BUILD[@]}" --show-bin-path)}
