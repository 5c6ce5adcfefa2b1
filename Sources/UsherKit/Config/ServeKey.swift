import Foundation

/// The API key of `usher serve`: `server.api_key` when set, else `usher_api_key` in `secrets.yml` beside
/// the config, which `usher serve` writes (mode 0600) the first time.
public enum ServeKey {
    public static let secretName = "usher_api_key"

    public struct Found: Sendable {
        public var key: String
        /// Written into `file` just now.
        public var generated: Bool
        public var file: String?
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func ensure(config: UsherConfig) throws(Failure) -> Found {
        if let key = config.server.apiKey { return Found(key: key, generated: false, file: nil) }
        let file = (config.file as NSString).deletingLastPathComponent + "/secrets.yml"
        let folder = (file as NSString).deletingLastPathComponent
        var existing = ""
        if FileManager.default.fileExists(atPath: file) {
            guard let data = FileManager.default.contents(atPath: file) else { throw Failure(description: "\(file): cannot read it") }
            existing = String(decoding: data, as: UTF8.self)
            if let key = value(in: existing) {
                guard key.count >= 16 else { throw Failure(description: "\(file): \(secretName) must be at least 16 characters") }
                return Found(key: key, generated: false, file: file)
            }
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = generator.next() }
        let key = bytes.map { String(format: "%02x", $0) }.joined()
        var text = existing
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        text += "# Made by usher serve: the API key Sonarr, Radarr and the API send (X-Api-Key, ?apikey= or the Basic password).\n"
        text += "\(secretName): \"\(key)\"\n"
        let temporary = folder + "/.secrets.yml.usher-tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw Failure(description: "\(file): cannot write it (\(String(cString: strerror(errno)))); set server.api_key instead") }
        let bytesOut = Array(text.utf8)
        let written = bytesOut.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytesOut.count, synced, rename(temporary, file) == 0 else {
            unlink(temporary)
            throw Failure(description: "\(file): cannot write it (\(String(cString: strerror(errno)))); set server.api_key instead")
        }
        return Found(key: key, generated: true, file: file)
    }

    /// `usher_api_key: VALUE` at the top level of a secrets file (quotes removed).
    static func value(in text: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) {
            guard line.hasPrefix(secretName + ":") else { continue }
            var value = line.dropFirst(secretName.count + 1).trimmingCharacters(in: .whitespaces)
            if let hash = value.range(of: " #") { value = String(value[..<hash.lowerBound]).trimmingCharacters(in: .whitespaces) }
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            return value.isEmpty ? nil : value
        }
        return nil
    }
}
