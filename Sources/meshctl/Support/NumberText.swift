import Foundation

/// JSON numbers arrive from `JSONSerialization` as `NSNumber`, integers or doubles.
protocol NSNumberConvertible {
    var decimalText: String { get }
    var doubleValue: Double { get }
}

extension NSNumber: NSNumberConvertible {
    var decimalText: String {
        let value = doubleValue
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

/// A JSON value as a number, when it is one.
func numberValue(_ value: Any?) -> Double? {
    (value as? NSNumberConvertible)?.doubleValue
}

func percentText(_ fraction: Double) -> String {
    String(format: "%.1f", fraction * 100)
}
