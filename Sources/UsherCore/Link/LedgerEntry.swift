/// The part of a ledger row that describes one link.
public struct LedgerLink: Hashable, Sendable {
    public var sourcePath: String
    public var identity: LinkIdentity
    public var size: Int64

    public init(sourcePath: String, identity: LinkIdentity, size: Int64) {
        self.sourcePath = sourcePath
        self.identity = identity
        self.size = size
    }
}

/// One row of the ledger: a link Usher made.
public struct LedgerEntry: Hashable, Sendable {
    public var target: String
    public var link: LedgerLink
    public var mappingKey: String
    public var show: String
    public var createdAt: Int64
    public var updatedAt: Int64
    public var pending: PendingChange?

    public init(target: String, link: LedgerLink, mappingKey: String, show: String, createdAt: Int64, updatedAt: Int64, pending: PendingChange? = nil) {
        self.target = target
        self.link = link
        self.mappingKey = mappingKey
        self.show = show
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.pending = pending
    }

    public init(wanted: WantedLink, at time: Int64, createdAt: Int64? = nil) {
        self.init(
            target: wanted.target,
            link: LedgerLink(sourcePath: wanted.source.path, identity: wanted.identity, size: wanted.source.size),
            mappingKey: wanted.mappingKey, show: wanted.show, createdAt: createdAt ?? time, updatedAt: time)
    }
}

/// What `lstat` found at a path.
public enum PathObservation: Hashable, Sendable {
    case missing
    case file(device: UInt64, inode: UInt64, size: Int64, links: Int)
    case symlink(destination: String)
    case directory
    case other
    /// `lstat` failed for another reason than "not there": nothing is known, so nothing is touched.
    case unknown(reason: String)

    /// Whether this path is that link: the same device and inode, or the same symlink text.
    public func matches(_ identity: LinkIdentity) -> Bool {
        switch (self, identity) {
        case let (.file(device, inode, _, _), .hardlink(d, i)): device == d && inode == i
        case let (.symlink(destination), .symlink(d)): destination == d
        default: false
        }
    }

    /// Whether this path still holds the link Usher recorded. A hardlink must also still look like one:
    /// a file with no other name whose size is not the recorded one is a new file that was given the
    /// freed inode (ext4 reuses them), not Usher's link.
    public func holds(_ link: LedgerLink) -> Bool {
        guard matches(link.identity) else { return false }
        if case let .file(_, _, size, links) = self { return links > 1 || size == link.size }
        return true
    }

    /// Bytes that disappear from the disk when this path is unlinked (the last name of a file).
    var bytesFreedByUnlink: Int64 {
        if case let .file(_, _, size, links) = self, links <= 1 { return size }
        return 0
    }
}

public struct LinkPlan: Sendable {
    public enum Reason: String, Sendable {
        case new = "new link"
        case recreated = "link was removed by hand; recreated"
        case sourceChanged = "the source file changed"
        case kindChanged = "link type changed"
        case renamed = "name changed"
        case mappingChanged = "a different source is mapped to this episode"
        case mappingRemoved = "mapping removed"
        case sourceGone = "the movie or series is gone from Radarr/Sonarr"
        case targetVanished = "link is gone"
        case targetNotOurs = "the path now holds something Usher did not create"
        case adopted = "already linked to the source; adopted"
    }

    public struct Create: Sendable { public var link: WantedLink; public var reason: Reason }
    public struct Replace: Sendable {
        public var old: LedgerEntry
        public var new: WantedLink
        public var reason: Reason
        /// Bytes the old link alone kept alive (its file had no other name).
        public var reclaimedBytes: Int64
    }
    public struct Remove: Sendable {
        public var entry: LedgerEntry
        public var reason: Reason
        public var reclaimedBytes: Int64
        /// More about the reason, for people.
        public var detail: String?

        public init(entry: LedgerEntry, reason: Reason, reclaimedBytes: Int64, detail: String? = nil) {
            self.entry = entry
            self.reason = reason
            self.reclaimedBytes = reclaimedBytes
            self.detail = detail
        }
    }
    public struct Forget: Sendable { public var entry: LedgerEntry; public var reason: Reason }
    public struct Kept: Sendable { public var entry: LedgerEntry; public var reason: String }

    public struct Conflict: Sendable, Hashable {
        public enum Kind: String, Sendable {
            /// A file Usher did not create is at the target.
            case foreignFile = "foreign_file"
            /// Such a file, with the same bytes as the source: a link could replace it.
            case duplicate
            /// The target already is a link to the source, made by someone else (see `--adopt`).
            case alreadyLinked = "already_linked"
            /// A folder or special file is at the target.
            case notAFile = "not_a_file"
            /// The target could not be examined.
            case unreadable
        }
        public var kind: Kind
        public var target: String
        public var sourcePath: String
        public var mappingLabel: String
        public var mappingKey: String
        /// For duplicates: the bytes a link in its place would free.
        public var freeableBytes: Int64?
        public var message: String
    }

    /// A replacement link left under its temporary name by an interrupted run.
    public struct TemporaryLink: Sendable, Hashable {
        public var path: String
        public var link: LedgerLink
    }

    /// Ledger rows settled after an interrupted run.
    public enum Repair: Sendable, Hashable {
        case confirm(LedgerEntry)
        case drop(target: String)
    }

    public var creates: [Create] = []
    public var replaces: [Replace] = []
    public var removes: [Remove] = []
    public var forgets: [Forget] = []
    public var adopts: [WantedLink] = []
    public var unchanged: [WantedLink] = []
    /// Unchanged links whose ledger row should be refreshed (e.g. the movie folder was renamed).
    public var refreshes: [LedgerEntry] = []
    public var kept: [Kept] = []
    public var conflicts: [Conflict] = []
    public var errors: [MappingProblem] = []
    public var repairs: [Repair] = []
    /// Temporary links left by an interrupted run, to delete (each only while it still is that link).
    public var temporaryCleanups: [TemporaryLink] = []

    public init() {}

    /// Whether applying the plan changes anything on disk or in the ledger.
    public var isEmpty: Bool {
        creates.isEmpty && replaces.isEmpty && removes.isEmpty && forgets.isEmpty && adopts.isEmpty
            && refreshes.isEmpty && repairs.isEmpty && temporaryCleanups.isEmpty
    }

    public var reclaimedBytes: Int64 {
        replaces.reduce(0) { $0 + $1.reclaimedBytes } + removes.reduce(0) { $0 + $1.reclaimedBytes }
    }
}
