#!/usr/bin/env bash
# Builds the libFuzzer targets for the decoders that read bytes from the network, outside
# the package build (in .build-fuzz/, so the regular build does not grow), and runs each
# for RUNS inputs, printing libFuzzer's last lines (inputs run, speed, peak memory).
#
#   fuzz/run.sh                      every target, 10,000,000 inputs each
#   RUNS=100000 fuzz/run.sh envelope one target, fewer inputs
#   SANITIZE=fuzzer fuzz/run.sh config-bundle
#                                    without AddressSanitizer (in .build-fuzz-fuzzer/): Swift's
#                                    own traps stay, -malloc_limit_mb is not enforced, and a
#                                    target whose decoders allocate much runs several times faster
#
# Targets: gossip-codec (Sources/Gossip/Wire: every input gets an error or messages that
# encode back to the same bytes), envelope (Sources/MeshNode/Envelope.swift: no forged,
# damaged or replayed envelope opens, a genuine one opens to its payload), session-frame
# (Sources/MeshNode/Peer: a peer session's frames decode strictly, and open once, in order,
# only when genuine), config-bundle (Sources/ManagerCore/Bundle: bundles and deltas parse
# strictly, never verify when forged, and rebuild exactly when genuine), stream-message
# (Sources/MeshNode/StreamMessage.swift), cache-bust (Sources/MeshNode/Cache: busts, their
# acks, bust sync, cache figures, the admin API's bust body) and cache-peer
# (Sources/CacheRing/CachePeerMessage.swift); the binary formats among them decode only
# their encoder's own form. A crash leaves its input in .build-fuzz/TARGET/; keep it as a
# regression test beside the target's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10000000}
out=.build-fuzz${SANITIZE:+-$SANITIZE}
targets=("$@")
all_targets=(gossip-codec envelope session-frame config-bundle stream-message cache-bust cache-peer)
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
mkdir -p "$out"
flags=(-sanitize="${SANITIZE:-fuzzer,address}" -parse-as-library -O)

# The modules a target imports are built once a run into $out/modules, instrumented as the
# target is; the third-party packages under them are taken, uninstrumented, from the
# package's debug build.
mods="$out/modules"
deps=.build/debug
declare -A built=()
# build_module NAME SOURCES...: NAME.swiftmodule and NAME.o in $mods.
build_module() {
  local name=$1; shift
  [ -n "${built[$name]:-}" ] && return
  mkdir -p "$mods"
  swiftc "${flags[@]}" -wmo -module-name "$name" -I Sources/CSodium -I "$mods" -I "$deps/Modules" "${c_modules[@]}" \
    -emit-module -emit-module-path "$mods/$name.swiftmodule" -c "$@" -o "$mods/$name.o"
  built[$name]=1
}
# The C modules of Yams and swift-crypto, which ManagerCore's imports name.
c_modules=()
for map in .build/checkouts/{Yams,swift-crypto}/Sources/*/include/module.modulemap; do
  [ -f "$map" ] && c_modules+=(-Xcc "-fmodule-map-file=$map" -Xcc -I -Xcc "$(dirname "$map")")
done
# objects TARGET...: adds the object files of those package targets to the array `linked`.
objects() {
  local target file
  for target in "$@"; do
    while IFS= read -r -d '' file; do linked+=("$file"); done < <(find "$deps/$target.build/" -name '*.o' -print0)
  done
}

# Sodium, with swift-crypto for SHA-256; adds swift-crypto's objects to `linked`.
build_sodium() {
  swift build --target Crypto >&2
  build_module Sodium Sources/Sodium/*.swift
  objects Crypto CryptoBoringWrapper CCryptoBoringSSL CCryptoBoringSSLShims CXKCP CXKCPShims
}
build_gossip() { build_module Gossip Sources/Gossip/*.swift Sources/Gossip/Wire/*.swift; }
# CacheRing, with the Structured Field parser it imports; adds the parser's objects to `linked`.
build_cache_ring() {
  swift build --target RawStructuredFieldValues >&2
  build_gossip
  build_module CacheRing Sources/CacheRing/*.swift
  objects RawStructuredFieldValues
}
# ManagerCore, with Sodium, Yams and swift-crypto; adds them all to `linked`.
build_manager_core() {
  swift build --target ManagerCore >&2
  build_sodium
  build_module ManagerCore $(find Sources/ManagerCore -name '*.swift')
  linked+=("$mods/ManagerCore.o" "$mods/Sodium.o")
  objects Yams CYaml CryptoExtras _CryptoExtras SwiftASN1
}

build() {
  linked=()
  case "$1" in
    gossip-codec)
      swiftc "${flags[@]}" -module-name Gossip Sources/Gossip/*.swift Sources/Gossip/Wire/*.swift \
        fuzz/GossipCodecFuzzer.swift -o "$out/gossip-codec/fuzzer" ;;
    envelope | session-frame)
      # The replay guard keeps its nonces in swift-collections' Deque.
      swift build --target DequeModule >&2
      local sources=(Sources/MeshNode/{Envelope,ClusterKey,ReplayGuard}.swift)
      if [ "$1" = envelope ]; then
        sources+=(fuzz/EnvelopeFuzzer.swift)
      else
        sources+=(Sources/MeshNode/{Keyring,SecretFile,LiveKeyring,WallClock}.swift
                  Sources/MeshNode/Peer/{SessionFrame,SessionCipher}.swift fuzz/SessionFrameFuzzer.swift)
      fi
      build_sodium
      objects DequeModule ContainersPreview InternalCollectionsUtilities
      swiftc "${flags[@]}" -module-name MeshNode -I Sources/CSodium -I "$deps/Modules" -I "$mods" "${c_modules[@]}" \
        "${sources[@]}" "$mods/Sodium.o" "${linked[@]}" \
        -lsodium -lstdc++ -o "$out/$1/fuzzer" ;;
    config-bundle)
      build_manager_core
      swiftc "${flags[@]}" -module-name ConfigBundleFuzzer -I Sources/CSodium -I "$mods" -I "$deps/Modules" "${c_modules[@]}" \
        fuzz/ConfigBundleFuzzer.swift "${linked[@]}" -lsodium -lstdc++ -o "$out/$1/fuzzer" ;;
    stream-message | cache-bust)
      # The messages and the bust formats they carry, with the modules they import.
      build_manager_core
      build_cache_ring
      local sources=(Sources/MeshNode/StreamMessage.swift Sources/MeshNode/Peer/SessionOpening.swift
                     Sources/MeshNode/Cache/{CacheBust,BustSync,CacheFigures,BustRequest}.swift)
      if [ "$1" = stream-message ]; then sources+=(fuzz/StreamMessageFuzzer.swift); else sources+=(fuzz/CacheBustFuzzer.swift); fi
      swiftc "${flags[@]}" -module-name MeshNode -I Sources/CSodium -I "$mods" -I "$deps/Modules" "${c_modules[@]}" \
        "${sources[@]}" "$mods/Gossip.o" "$mods/CacheRing.o" "${linked[@]}" -lsodium -lstdc++ -o "$out/$1/fuzzer" ;;
    cache-peer)
      build_cache_ring
      swiftc "${flags[@]}" -module-name CachePeerFuzzer -I "$mods" -I "$deps/Modules" fuzz/CachePeerMessageFuzzer.swift \
        "$mods/Gossip.o" "$mods/CacheRing.o" "${linked[@]}" -o "$out/$1/fuzzer" ;;
    *) echo "unknown target $1 (${all_targets[*]})" >&2; exit 2 ;;
  esac
}

for target in "${targets[@]}"; do
  mkdir -p "$out/$target/corpus"
  build "$target" 2> >(grep -v "Cannot export local symbol" >&2)
  echo "== $target: $runs inputs" >&2
  # An allocation above 64 MiB (the largest stream the codec accepts) is a finding too.
  # fuzz/seeds/TARGET, where there is one, holds inputs of shapes random mutation would hardly reach (JSON bodies, framed bundles).
  seeds=()
  [ -d "fuzz/seeds/$target" ] && seeds=("$PWD/fuzz/seeds/$target")
  (cd "$out/$target" && ./fuzzer -runs="$runs" -malloc_limit_mb=64 -rss_limit_mb=2048 -print_final_stats=1 \
     corpus "${seeds[@]}" 2>&1 | grep -E "^#[0-9]+ *(DONE|INITED)|^stat::|ERROR|SUMMARY|Test unit written" | tail -n 20)
done
