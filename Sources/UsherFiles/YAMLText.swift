/// Writing YAML scalars that read back as exactly what was written.
package enum YAMLText {
    /// A YAML scalar, quoted only when it must be.
    package static func quote(_ s: String) -> String {
        let plainSafe =
            !s.isEmpty && s.first.map { !"!&*-?{}[],#|>@`\"'%: ".contains($0) } == true
            && !s.contains(": ") && !s.contains(" #") && !s.hasSuffix(":") && !s.hasSuffix(" ")
            && !["true", "false", "yes", "no", "null", "on", "off", "~"].contains(s.lowercased())
            && Double(s) == nil && !s.contains("{") && !s.contains("}") && !s.contains("[") && !s.contains("]") && !s.contains(",")
            && s.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F || $0.value >= 0xA0 && !needsEscape($0) }
        return plainSafe ? s : doubleQuoted(s)
    }

    /// A double-quoted YAML scalar that reads back as exactly `s`: quotes and backslashes escaped, and
    /// every character YAML would fold (line breaks) or refuse (control and other non-printable
    /// characters) written as an escape.
    package static func doubleQuoted(_ s: String) -> String {
        var out = "\""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || needsEscape(scalar) {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    if scalar.value <= 0xFF {
                        out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                    } else if scalar.value <= 0xFFFF {
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out += "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Characters above ASCII that YAML does not print as they are: C1 controls (NEL is a line break),
    /// the line and paragraph separators, the byte-order mark and the non-characters U+FFFE/U+FFFF.
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029 || v == 0xFEFF || v == 0xFFFE || v == 0xFFFF
    }
}
