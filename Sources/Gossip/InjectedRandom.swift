/// The caller's random source behind one concrete type, so it can be passed `inout` to
/// generic algorithms (shuffle, random(in:using:)).
struct InjectedRandom: RandomNumberGenerator {
    var source: any RandomNumberGenerator

    mutating func next() -> UInt64 {
        source.next()
    }
}
