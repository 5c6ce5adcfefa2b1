import Foundation
import HummingbirdBcrypt
import NIOCore
import UsherKit

/// Who may use the web page: the API key, a configured user's password (bcrypt), or, with
/// `authentication_required: disabled_for_local_addresses`, anyone on a local address who came through no proxy.
public enum WebLogin {
    /// A bcrypt hash of `password` (cost 12) for `server.users` in the config (`usher hash-password`).
    public static func hash(_ password: String) -> String { Bcrypt.hash(password, cost: 12) }

    /// A hash of a password nobody has, checked when the user name is unknown so that a wrong name takes as long as a
    /// wrong password.
    static let decoy = Bcrypt.hash(WebSessions.token(), cost: 12)

    /// Whether `password` opens the page: with a user name, that user's password; without one, the API key.
    static func check(user name: String?, password: String, settings: ServerSettings, apiKey: String) -> Bool {
        guard let name, !name.isEmpty else { return APIKeyMiddleware<ServeRequestContext>.same(Array(password.utf8), Array(apiKey.utf8)) }
        guard let user = settings.users.first(where: { $0.name == name }) else {
            _ = Bcrypt.verify(password, hash: decoy)
            return false
        }
        return Bcrypt.verify(password, hash: user.passwordHash)
    }

    /// Loopback, private (RFC 1918, RFC 4193), link-local and carrier-grade NAT addresses.
    static func isLocal(_ address: SocketAddress?) -> Bool {
        guard let address else { return false }
        switch address {
        case .v4(let v4):
            return isLocal(v4: UInt32(bigEndian: v4.address.sin_addr.s_addr))
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
                return isLocal(v4: bytes[12...15].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // ::1
            return bytes[0] & 0xfe == 0xfc || (bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80)  // fc00::/7, fe80::/10
        case .unixDomainSocket:
            return true
        }
    }

    static func isLocal(v4 address: UInt32) -> Bool {
        let ranges: [(UInt32, Int)] = [
            (0x7f00_0000, 8), (0x0a00_0000, 8), (0xac10_0000, 12), (0xc0a8_0000, 16), (0xa9fe_0000, 16), (0x6440_0000, 10),
        ]
        return ranges.contains { network, bits in address >> UInt32(32 - bits) == network >> UInt32(32 - bits) }
    }
}
