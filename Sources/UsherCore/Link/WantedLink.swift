public enum LinkKind: String, Hashable, Sendable, Codable, CaseIterable {
    case hardlink, symlink
}

public enum SymlinkTarget: String, Hashable, Sendable, Codable, CaseIterable {
    case relative, absolute
}

/// What makes a path "the link Usher made": the inode it shares with the source, or the text of the symlink.
public enum LinkIdentity: Hashable, Sendable {
    case hardlink(device: UInt64, inode: UInt64)
    case symlink(destination: String)

    public var kind: LinkKind {
        switch self {
        case .hardlink: .hardlink
        case .symlink: .symlink
        }
    }
}

/// A file as `stat` saw it.
public struct SourceFile: Hashable, Sendable {
    public var path: String
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64

    public init(path: String, device: UInt64, inode: UInt64, size: Int64) {
        self.path = path
        self.device = device
        self.inode = inode
        self.size = size
    }
}

/// A link the mappings ask for, fully resolved to paths.
public struct WantedLink: Hashable, Sendable {
    public var target: String
    public var source: SourceFile
    public var identity: LinkIdentity
    public var mappingKey: String
    public var mappingLabel: String
    public var show: String
    /// The device of the folder the link goes into (or of its nearest existing parent).
    public var targetDevice: UInt64?

    public init(
        target: String, source: SourceFile, kind: LinkKind, symlinkTarget: SymlinkTarget = .relative,
        mappingKey: String, mappingLabel: String, show: String, targetDevice: UInt64?
    ) {
        self.target = target
        self.source = source
        switch kind {
        case .hardlink:
            identity = .hardlink(device: source.device, inode: source.inode)
        case .symlink:
            identity = .symlink(
                destination: symlinkTarget == .absolute
                    ? source.path : Paths.relative(from: Paths.parent(target), to: source.path))
        }
        self.mappingKey = mappingKey
        self.mappingLabel = mappingLabel
        self.show = show
        self.targetDevice = targetDevice
    }
}

/// A change that was written to the ledger before it was made on disk; a run that dies in between
/// leaves it behind, and the next run settles it by looking at the disk.
public struct PendingChange: Hashable, Sendable {
    /// What the row described before the change (`nil` for a new link).
    public var previous: LedgerLink?
    /// The temporary name a replacement link is made under before it is renamed into place.
    public var temporaryPath: String?

    public init(previous: LedgerLink?, temporaryPath: String?) {
        self.previous = previous
        self.temporaryPath = temporaryPath
    }
}
