#!/usr/bin/env bash
# Builds the libFuzzer targets for the decoders that read bytes from the network, outside
# the package build (in .build-fuzz/, so the regular build does not grow), and runs each
# for RUNS inputs, printing libFuzzer's last lines (inputs run, speed, peak memory).
#
#   fuzz/run.sh                      every target, 10,000,000 inputs each
#   RUNS=100000 fuzz/run.sh envelope one target, fewer inputs
#
# Targets: gossip-codec (Sources/Gossip/Wire: every input gets an error or messages that
# encode back to the same bytes), envelope (Sources/MeshNode/Envelope.swift: no forged,
# damaged or replayed envelope opens, a genuine one opens to its payload) and session-frame
# (Sources/MeshNode/Peer: a peer session's frames decode strictly, and open once, in order,
# only when genuine). A crash leaves its input in .build-fuzz/TARGET/; keep it as a
# regression test beside the target's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10000000}
out=.build-fuzz
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(gossip-codec envelope session-frame)
mkdir -p "$out"
flags=(-sanitize=fuzzer,address -parse-as-library -O)

# The libsodium wrapper is a module of its own (Sources/Sodium), built first for a target that needs it.
build_sodium() {
  local mods="$out/$1/modules"
  mkdir -p "$mods"
  swiftc "${flags[@]}" -wmo -module-name Sodium -I Sources/CSodium -emit-module -emit-module-path "$mods/Sodium.swiftmodule" \
    -c Sources/Sodium/*.swift -o "$out/$1/Sodium.o"
}

build() {
  case "$1" in
    gossip-codec)
      swiftc "${flags[@]}" -module-name Gossip Sources/Gossip/*.swift Sources/Gossip/Wire/*.swift \
        fuzz/GossipCodecFuzzer.swift -o "$out/gossip-codec/fuzzer" ;;
    envelope | session-frame)
      # The replay guard keeps its nonces in swift-collections' Deque: taken, uninstrumented,
      # from the package's debug build.
      swift build --target DequeModule >&2
      local deps=.build/debug sources=(Sources/MeshNode/{Envelope,ClusterKey,ReplayGuard}.swift)
      if [ "$1" = envelope ]; then
        sources+=(fuzz/EnvelopeFuzzer.swift)
      else
        sources+=(Sources/MeshNode/{Keyring,SecretFile,LiveKeyring,WallClock}.swift
                  Sources/MeshNode/Peer/{SessionFrame,SessionCipher}.swift fuzz/SessionFrameFuzzer.swift)
      fi
      build_sodium "$1"
      swiftc "${flags[@]}" -module-name MeshNode -I Sources/CSodium -I "$deps/Modules" -I "$out/$1/modules" \
        "${sources[@]}" "$out/$1/Sodium.o" "$deps"/DequeModule.build/*.o "$deps"/ContainersPreview.build/*.o \
        "$deps"/InternalCollectionsUtilities.build/*.o -lsodium -o "$out/$1/fuzzer" ;;
    *) echo "unknown target $1 (gossip-codec, envelope, session-frame)" >&2; exit 2 ;;
  esac
}

for target in "${targets[@]}"; do
  mkdir -p "$out/$target/corpus"
  build "$target" 2> >(grep -v "Cannot export local symbol" >&2)
  echo "== $target: $runs inputs" >&2
  # An allocation above 64 MiB (the largest stream the codec accepts) is a finding too.
  (cd "$out/$target" && ./fuzzer -runs="$runs" -malloc_limit_mb=64 -rss_limit_mb=2048 -print_final_stats=1 \
     corpus 2>&1 | grep -E "^#[0-9]+ *(DONE|INITED)|^stat::|ERROR|SUMMARY|Test unit written" | tail -n 20)
done
