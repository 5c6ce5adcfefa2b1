import UsherCore

/// An in-memory file system: just enough of one to apply a `LinkPlan` the way the executor does and
/// to observe paths the way `lstat` does.
struct FakeDisk {
    enum Node: Hashable {
        case file(device: UInt64, inode: UInt64)
        case symlink(String)
        case directory
    }

    struct InodeKey: Hashable { var device: UInt64; var inode: UInt64 }

    var nodes: [String: Node] = [:]
    var sizes: [InodeKey: Int64] = [:]
    private var nextInode: UInt64 = 10_000

    /// Puts a new regular file (a new inode) at `path`.
    @discardableResult
    mutating func addFile(_ path: String, device: UInt64 = 1, inode: UInt64? = nil, size: Int64) -> SourceFile {
        let inode =
            inode
            ?? {
                nextInode += 1; return nextInode
            }()
        nodes[path] = .file(device: device, inode: inode)
        sizes[InodeKey(device: device, inode: inode)] = size
        return SourceFile(path: path, device: device, inode: inode, size: size)
    }

    /// Another name for the file at `existing` (`ln existing path`).
    mutating func hardlink(_ path: String, to existing: String) {
        nodes[path] = nodes[existing]
    }

    /// `mv from to`.
    mutating func move(_ from: String, to: String) {
        nodes[to] = nodes[from]
        nodes[from] = nil
    }

    mutating func remove(_ path: String) { nodes[path] = nil }

    func source(_ path: String) -> SourceFile {
        guard case let .file(device, inode)? = nodes[path] else { fatalError("no file at \(path)") }
        return SourceFile(path: path, device: device, inode: inode, size: sizes[InodeKey(device: device, inode: inode)] ?? 0)
    }

    func observe(_ path: String) -> PathObservation {
        switch nodes[path] {
        case nil:
            return .missing
        case let .file(device, inode)?:
            let links = nodes.values.filter { $0 == .file(device: device, inode: inode) }.count
            return .file(device: device, inode: inode, size: sizes[InodeKey(device: device, inode: inode)] ?? 0, links: links)
        case let .symlink(destination)?:
            return .symlink(destination: destination)
        case .directory?:
            return .directory
        }
    }

    /// What the planner is given: every wanted target, every ledger target and every pending temporary path.
    func observations(wanted: [WantedLink], ledger: [LedgerEntry], extra: [String] = []) -> [String: PathObservation] {
        var paths = Set(wanted.map(\.target)).union(ledger.map(\.target)).union(extra)
        for entry in ledger { if let temporary = entry.pending?.temporaryPath { paths.insert(temporary) } }
        return Dictionary(uniqueKeysWithValues: paths.map { ($0, observe($0)) })
    }

    mutating func put(_ identity: LinkIdentity, at path: String) {
        switch identity {
        case let .hardlink(device, inode): nodes[path] = .file(device: device, inode: inode)
        case let .symlink(destination): nodes[path] = .symlink(destination)
        }
    }

    /// Applies a plan as the executor would, and returns the new ledger.
    mutating func apply(_ plan: LinkPlan, to ledger: [LedgerEntry], now: Int64) -> [LedgerEntry] {
        var rows = Dictionary(uniqueKeysWithValues: ledger.map { ($0.target, $0) })
        for repair in plan.repairs {
            switch repair {
            case let .confirm(entry): rows[entry.target] = entry
            case let .drop(target): rows[target] = nil
            }
        }
        for temporary in plan.temporaryCleanups { remove(temporary.path) }
        for forget in plan.forgets { rows[forget.entry.target] = nil }
        for removal in plan.removes {
            remove(removal.entry.target)
            rows[removal.entry.target] = nil
        }
        for replace in plan.replaces {
            put(replace.new.identity, at: replace.new.target)
            if replace.old.target != replace.new.target { remove(replace.old.target) }
            rows[replace.old.target] = nil
        }
        for replace in plan.replaces {
            rows[replace.new.target] = LedgerEntry(wanted: replace.new, at: now, createdAt: replace.old.createdAt)
        }
        for create in plan.creates {
            put(create.link.identity, at: create.link.target)
            rows[create.link.target] = LedgerEntry(wanted: create.link, at: now)
        }
        for adopted in plan.adopts { rows[adopted.target] = LedgerEntry(wanted: adopted, at: now) }
        for refreshed in plan.refreshes { rows[refreshed.target] = refreshed }
        return rows.values.sorted { $0.target < $1.target }
    }
}

/// Plans, applies and remembers the ledger, like consecutive runs of `usher link`.
struct Runner {
    var disk = FakeDisk()
    var ledger: [LedgerEntry] = []
    var now: Int64 = 1_000

    func plan(_ wanted: [WantedLink], problems: [MappingProblem] = [], gone: [MappingProblem] = [], identical: Set<String> = [], adopt: Bool = false)
        -> LinkPlan
    {
        LinkPlanner().plan(
            .init(
                wanted: wanted, ledger: ledger, observations: disk.observations(wanted: wanted, ledger: ledger),
                identicalToSource: identical, problems: problems, gone: gone, adopt: adopt, now: now))
    }

    @discardableResult
    mutating func run(_ wanted: [WantedLink], problems: [MappingProblem] = [], gone: [MappingProblem] = [], identical: Set<String> = [], adopt: Bool = false)
        -> LinkPlan
    {
        let plan = plan(wanted, problems: problems, gone: gone, identical: identical, adopt: adopt)
        ledger = disk.apply(plan, to: ledger, now: now)
        now += 1
        return plan
    }
}

func want(
    _ target: String, _ source: SourceFile, kind: LinkKind = .hardlink, symlinkTarget: SymlinkTarget = .relative,
    key: String, show: String = "show", targetDevice: UInt64? = 1
) -> WantedLink {
    WantedLink(
        target: target, source: source, kind: kind, symlinkTarget: symlinkTarget,
        mappingKey: key, mappingLabel: "label of \(key)", show: show, targetDevice: targetDevice)
}

extension LinkPlan {
    var createdTargets: [String] { creates.map(\.link.target) }
    var removedTargets: [String] { removes.map(\.entry.target) }
    var forgottenTargets: [String] { forgets.map(\.entry.target) }
    var keptTargets: [String] { kept.map(\.entry.target) }
    var unchangedTargets: [String] { unchanged.map(\.target) }

    /// A one-line summary, for failure messages.
    var summary: String {
        "creates \(creates.map { "\($0.link.target) (\($0.reason))" }), replaces \(replaces.map { "\($0.old.target)→\($0.new.target) (\($0.reason))" }), removes \(removedTargets), forgets \(forgets.map { "\($0.entry.target) (\($0.reason))" }), adopts \(adopts.map(\.target)), refreshes \(refreshes.map(\.target)), repairs \(repairs), cleanups \(temporaryCleanups), kept \(keptTargets), conflicts \(conflicts.map { "\($0.kind) \($0.target)" }), errors \(errors.map(\.message))"
    }
}
