/// A command (`CommandResource`): what `POST /api/v3/command` answers and `GET /api/v3/command/{id}` polls.
public struct ArrCommand: Codable, Sendable, Hashable {
    public var id: Int
    /// `RescanSeries`, `RefreshMovie`…
    public var name: String?
    /// For people: `Rescan Series`.
    public var commandName: String?
    /// `queued`, `started`, `completed`, `failed`, `aborted`, `cancelled` or `orphaned` (v3.0 may capitalize).
    public var status: String?
    /// `unknown`, `successful` or `unsuccessful`.
    public var result: String?
    public var message: String?
    public var exception: String?

    public init(
        id: Int, name: String? = nil, commandName: String? = nil, status: String? = nil,
        result: String? = nil, message: String? = nil, exception: String? = nil
    ) {
        self.id = id
        self.name = name
        self.commandName = commandName
        self.status = status
        self.result = result
        self.message = message
        self.exception = exception
    }

    /// Whether the command has stopped, well or badly (compared case-insensitively).
    public var isFinished: Bool {
        guard let status = status?.lowercased() else { return false }
        return ["completed", "failed", "aborted", "cancelled", "orphaned"].contains(status)
    }

    /// Whether the command finished well.
    public var succeeded: Bool { status?.lowercased() == "completed" }

    private enum CodingKeys: String, CodingKey { case id, name, commandName, status, result, message, exception }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        name = c.lenient(String.self, .name)
        commandName = c.lenient(String.self, .commandName)
        status = c.lenient(String.self, .status)
        result = c.lenient(String.self, .result)
        message = c.lenient(String.self, .message)
        exception = c.lenient(String.self, .exception)
    }
}

// MARK: - Lenient decoding
