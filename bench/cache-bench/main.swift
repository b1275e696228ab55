import CacheRing

/// Measurements behind docs/cache.md, deterministic (seeded): run in release, alone.
///   cache-bench ring       balance and movement of the ring choices
///   cache-bench eviction   LRU against S3-FIFO on Zipf(0.99) over 100k keys
///   cache-bench bust       busts by tag, prefix and route over 1M stored entries
let command = CommandLine.arguments.dropFirst().first ?? ""
switch command {
case "ring": RingBench.run()
case "eviction": EvictionBench.run()
case "bust": BustBench.run()
default:
    print("usage: cache-bench ring|eviction|bust")
}
