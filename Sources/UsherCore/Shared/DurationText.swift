/// Durations as people write them in a config: `90s`, `60m`, `12h`, `7d`, `1h30m`; `0` for none.
public enum DurationText {
    /// Seconds, or `nil` when the text is not a duration.
    public static func seconds(_ text: String) -> Int? {
        let text = String(text.lowercased().filter { $0 != " " && $0 != "\t" })
        if text == "0" { return 0 }
        var total = 0
        var number = ""
        var sawUnit = false
        for c in text {
            if c.isWholeNumber, c.isASCII {
                number.append(c)
                continue
            }
            let unit: Int
            switch c {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            case "w": unit = 7 * 86400
            default: return nil
            }
            guard let n = Int(number), n <= 100_000_000 else { return nil }
            total += n * unit
            number = ""
            sawUnit = true
        }
        return number.isEmpty && sawUnit ? total : nil
    }

    /// `1h30m`, `12h`, `45s`.
    public static func format(seconds: Int) -> String {
        guard seconds > 0 else { return "0" }
        var rest = seconds
        var text = ""
        for (unit, name) in [(86400, "d"), (3600, "h"), (60, "m"), (1, "s")] where rest >= unit {
            text += "\(rest / unit)\(name)"
            rest %= unit
        }
        return text
    }
}
