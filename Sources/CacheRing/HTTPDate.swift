/// HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime forms a
/// recipient must accept. Always GMT.
public enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Nil when `text` is none of the three forms. Words are separated by one space (two
    /// before a one-digit day in the asctime form); names are matched without regard to case.
    public static func parse(_ text: String) -> WallTime? {
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        let gmt = words.last.map { $0.lowercased() == "gmt" } ?? false
        switch words.count {
        case 6 where gmt:
            // Sun, 06 Nov 1994 08:49:37 GMT
            guard words[0].hasSuffix(","), words[1].count == 2, let day = Int(words[1]), let year = Int(words[3]),
                  words[3].count == 4
            else { return nil }
            return make(year: year, month: words[2], day: day, time: words[4])
        case 4 where gmt:
            // Sunday, 06-Nov-94 08:49:37 GMT: a two-digit year more than 50 years ahead is in the past.
            let parts = words[1].split(separator: "-", omittingEmptySubsequences: false)
            guard words[0].hasSuffix(","), parts.count == 3, parts[0].count == 2, let day = Int(parts[0]),
                  let yy = Int(parts[2]), parts[2].count == 2
            else { return nil }
            return make(year: yy < 70 ? 2000 + yy : 1900 + yy, month: parts[1], day: day, time: words[2])
        case 5, 6:
            // Sun Nov  6 08:49:37 1994, or Sun Nov 16 08:49:37 1994
            let rest = words.count == 6 && words[2].isEmpty && words[3].count == 1 ? Array(words[3...]) : Array(words[2...])
            guard rest.count == 3, (1...2).contains(rest[0].count), let day = Int(rest[0]), let year = Int(rest[2]),
                  rest[2].count == 4
            else { return nil }
            return make(year: year, month: words[1], day: day, time: rest[1])
        default:
            return nil
        }
    }

    private static func make(year: Int, month: Substring, day: Int, time: Substring) -> WallTime? {
        guard let monthIndex = months.firstIndex(of: month.lowercased()), (1...31).contains(day) else { return nil }
        let clock = time.split(separator: ":")
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
              let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
              hour < 24, minute < 60, second < 61
        else { return nil }
        let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
        return WallTime(seconds: Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second))
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
