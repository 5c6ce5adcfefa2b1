/// A job could not start or finish (nothing was changed that a next run does not repair): one type for
/// every job, and one table from its kind to the command's exit code.
public struct JobError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// A mistake in the config or a file a person writes: exit 2.
        case config
        /// Another run holds the lock: exit 3.
        case busy
        /// `usher.db` could not be opened, read or written: exit 1.
        case state
        /// The library's folders could not be read: exit 1.
        case library
    }

    public var kind: Kind
    public var message: String
    public var description: String { message }

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// The exit code of a command that stopped with this error.
    public var exitCode: Int32 {
        switch kind {
        case .config: 2
        case .busy: 3
        case .state, .library: 1
        }
    }
}
