/// Decides what to do from three things: the wanted links, the ledger and what is on disk.
///
/// It never plans to touch a path that does not hold exactly the link the ledger says Usher made,
/// and it keeps the links of mappings it could not check.
public struct LinkPlanner: Sendable {
    public struct Input: Sendable {
        public var wanted: [WantedLink]
        public var ledger: [LedgerEntry]
        /// `lstat` of every wanted target, every ledger target and every pending temporary path.
        public var observations: [String: PathObservation]
        /// Targets holding a foreign file with the same bytes as the wanted source.
        public var identicalToSource: Set<String>
        /// Mappings that could not be resolved this run: their links are kept as they are.
        public var problems: [MappingProblem]
        /// Mappings whose movie or series is gone from Radarr/Sonarr: their links are removed (and a
        /// mapping that has none is reported as an error).
        public var gone: [MappingProblem]
        /// Take over targets that already are links to the wanted source.
        public var adopt: Bool
        public var now: Int64

        public init(
            wanted: [WantedLink], ledger: [LedgerEntry], observations: [String: PathObservation],
            identicalToSource: Set<String> = [], problems: [MappingProblem] = [], gone: [MappingProblem] = [],
            adopt: Bool = false, now: Int64 = 0
        ) {
            self.gone = gone
            self.wanted = wanted
            self.ledger = ledger
            self.observations = observations
            self.identicalToSource = identicalToSource
            self.problems = problems
            self.adopt = adopt
            self.now = now
        }
    }

    public init() {}

    public func plan(_ input: Input) -> LinkPlan {
        var plan = LinkPlan()
        plan.errors = input.problems
        var failedKeys = Set(input.problems.map(\.mappingKey))
        var goneByKey: [String: MappingProblem] = [:]
        for problem in input.gone where !failedKeys.contains(problem.mappingKey) { goneByKey[problem.mappingKey] = problem }
        func observe(_ path: String) -> PathObservation { input.observations[path] ?? .unknown(reason: "not examined") }

        // 1. Settle rows left pending by an interrupted run.
        var ledger: [String: LedgerEntry] = [:]
        for var entry in input.ledger {
            guard let pending = entry.pending else {
                ledger[entry.target] = entry
                continue
            }
            if let temporary = pending.temporaryPath, observe(temporary).holds(entry.link) {
                plan.temporaryCleanups.append(.init(path: temporary, link: entry.link))
            }
            let seen = observe(entry.target)
            if case .unknown = seen {
                ledger[entry.target] = entry  // Nothing known: leave the row as it is.
                continue
            }
            entry.pending = nil
            if seen.holds(entry.link) {
                plan.repairs.append(.confirm(entry))
                ledger[entry.target] = entry
            } else if let previous = pending.previous, seen.holds(previous) {
                entry.link = previous
                plan.repairs.append(.confirm(entry))
                ledger[entry.target] = entry
            } else if let previous = pending.previous, seen == .missing {
                // Our link was removed while the change was under way: like any link removed by hand.
                entry.link = previous
                plan.repairs.append(.confirm(entry))
                ledger[entry.target] = entry
            } else {
                plan.repairs.append(.drop(target: entry.target))
            }
        }

        // 2. Wanted links that cannot be made as asked.
        var wantedByTarget: [String: WantedLink] = [:]
        var claimants: [String: [WantedLink]] = [:]
        for link in input.wanted { claimants[link.target, default: []].append(link) }
        for link in input.wanted {
            let others = (claimants[link.target] ?? []).filter { $0.mappingKey != link.mappingKey }
            if !others.isEmpty {
                if !failedKeys.contains(link.mappingKey) {
                    plan.errors.append(
                        MappingProblem(
                            key: link.mappingKey, label: link.mappingLabel,
                            message: "resolves to the same file as \(others.map(\.mappingLabel).joined(separator: ", ")): \(link.target)"))
                }
                failedKeys.insert(link.mappingKey)
                continue
            }
            if case .hardlink = link.identity, let device = link.targetDevice, device != link.source.device {
                plan.errors.append(
                    MappingProblem(
                        key: link.mappingKey, label: link.mappingLabel,
                        message:
                            "\(link.source.path) and \(Paths.parent(link.target)) are on different filesystems, so a hardlink is impossible; use link.type: symlink, or keep movies and shows on one filesystem (Usher never copies)"
                    ))
                failedKeys.insert(link.mappingKey)
                continue
            }
            wantedByTarget[link.target] = link
        }
        for (target, link) in wantedByTarget where failedKeys.contains(link.mappingKey) { wantedByTarget[target] = nil }

        // 3. Per target path.
        var newLinks: [LinkPlan.Create] = []
        var staleEntries: [(entry: LedgerEntry, seen: PathObservation)] = []
        for target in Set(wantedByTarget.keys).union(ledger.keys).sorted() {
            let seen = observe(target)
            var entry = ledger[target]
            if let current = entry, !seen.holds(current.link), seen != .missing {
                if case .unknown = seen {
                    plan.kept.append(.init(entry: current, reason: "could not examine \(target)"))
                    if let link = wantedByTarget[target] {
                        plan.conflicts.append(conflict(.unreadable, link, "could not examine the target: \(seen)"))
                    }
                    continue
                }
                plan.forgets.append(.init(entry: current, reason: .targetNotOurs))
                entry = nil
            }
            switch (wantedByTarget[target], entry) {
            case let (link?, nil):
                switch seen {
                case .missing:
                    newLinks.append(.init(link: link, reason: .new))
                case _ where seen.matches(link.identity):
                    if input.adopt {
                        plan.adopts.append(link)
                    } else {
                        plan.conflicts.append(
                            conflict(
                                .alreadyLinked, link,
                                "already links to the source but was not made by Usher; run with --adopt to manage it"))
                    }
                case .file(_, _, let size, _):
                    if input.identicalToSource.contains(target) {
                        var c = conflict(
                            .duplicate, link,
                            "a file Usher did not create is here, with the same bytes as the source; deleting it and linking would free \(size) bytes")
                        c.freeableBytes = seen.bytesFreedByUnlink
                        plan.conflicts.append(c)
                    } else {
                        plan.conflicts.append(conflict(.foreignFile, link, "a file Usher did not create is already here; it is left alone"))
                    }
                case .symlink(let destination):
                    plan.conflicts.append(conflict(.foreignFile, link, "a symlink Usher did not create (to \(destination)) is already here; it is left alone"))
                case .directory, .other:
                    plan.conflicts.append(conflict(.notAFile, link, "something that is not a file is at this path"))
                case .unknown(let reason):
                    plan.conflicts.append(conflict(.unreadable, link, "could not examine the target: \(reason)"))
                }
            case let (link?, current?):
                if seen == .missing {
                    newLinks.append(.init(link: link, reason: .recreated))
                } else if current.link.identity == link.identity {
                    plan.unchanged.append(link)
                    if current.link.sourcePath != link.source.path || current.mappingKey != link.mappingKey
                        || current.show != link.show || current.link.size != link.source.size
                    {
                        plan.refreshes.append(LedgerEntry(wanted: link, at: input.now, createdAt: current.createdAt))
                    }
                } else {
                    let reason: LinkPlan.Reason =
                        current.link.identity.kind != link.identity.kind
                        ? .kindChanged
                        : current.mappingKey != link.mappingKey ? .mappingChanged : .sourceChanged
                    plan.replaces.append(.init(old: current, new: link, reason: reason, reclaimedBytes: seen.bytesFreedByUnlink))
                }
            case let (nil, current?):
                if failedKeys.contains(current.mappingKey) {
                    plan.kept.append(.init(entry: current, reason: "its mapping could not be checked this run"))
                } else if seen == .missing {
                    plan.forgets.append(.init(entry: current, reason: .targetVanished))
                } else {
                    staleEntries.append((current, seen))
                }
            case (nil, nil):
                break
            }
        }

        // 4. A mapping whose file name changed: pair its old link with its new one as a replacement.
        var staleByKey: [String: [(entry: LedgerEntry, seen: PathObservation)]] = [:]
        for stale in staleEntries { staleByKey[stale.entry.mappingKey, default: []].append(stale) }
        var paired = Set<String>()
        for create in newLinks {
            if create.reason == .new, let stale = staleByKey[create.link.mappingKey]?.popLast() {
                paired.insert(stale.entry.target)
                plan.replaces.append(.init(old: stale.entry, new: create.link, reason: .renamed, reclaimedBytes: stale.seen.bytesFreedByUnlink))
            } else {
                plan.creates.append(create)
            }
        }
        // A mapping whose new path is blocked by a conflict keeps its old link until the new one can be made.
        let blockedKeys = Set(plan.conflicts.map(\.mappingKey))
        for stale in staleEntries where !paired.contains(stale.entry.target) {
            if blockedKeys.contains(stale.entry.mappingKey) {
                plan.kept.append(
                    .init(entry: stale.entry, reason: "its mapping's new path is blocked (see the conflict); the old link stays until the new one can be made"))
                continue
            }
            if let why = goneByKey[stale.entry.mappingKey] {
                plan.removes.append(.init(entry: stale.entry, reason: .sourceGone, reclaimedBytes: stale.seen.bytesFreedByUnlink, detail: why.message))
            } else {
                plan.removes.append(.init(entry: stale.entry, reason: .mappingRemoved, reclaimedBytes: stale.seen.bytesFreedByUnlink))
            }
        }
        // A gone mapping with nothing linked is a mistake to report (a wrong id, or a deleted movie).
        let linkedKeys = Set(ledger.values.map(\.mappingKey))
        for problem in input.gone where !linkedKeys.contains(problem.mappingKey) && !failedKeys.contains(problem.mappingKey) {
            plan.errors.append(problem)
        }
        return plan
    }

    private func conflict(_ kind: LinkPlan.Conflict.Kind, _ link: WantedLink, _ message: String) -> LinkPlan.Conflict {
        LinkPlan.Conflict(
            kind: kind, target: link.target, sourcePath: link.source.path, mappingLabel: link.mappingLabel, mappingKey: link.mappingKey, freeableBytes: nil,
            message: message)
    }
}

extension MappingProblem {
    public init(key: String, label: String, message: String) {
        self.mappingKey = key
        self.label = label
        self.message = message
    }
}
