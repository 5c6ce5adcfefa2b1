import Foundation
import Logging
import UsherCore

/// Applies a plan: records intent in the ledger, changes the disk, then records the result.
///
/// Every path is examined again right before it is changed; a path that no longer holds exactly the
/// link the ledger describes is left alone. A run killed at any point leaves pending rows (and at
/// most one temporary link per replacement, named in its row) that the next run settles.
struct LinkExecutor {
    var ledger: Ledger
    var logger: Logger
    var now: Int64
    var progress: (@Sendable (Int, Int) -> Void)?
    var killAfter: Int?
    /// Checked before each change: a run that lost its lock (its file deleted, another run started)
    /// stops changing the disk; the ledger's pending rows let the next run settle the rest.
    var lock: RunLock?

    static func temporaryPath(for target: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in target.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Paths.join(Paths.parent(target), ".usher-tmp-\(String(hash, radix: 16))")
    }

    func apply(_ plan: LinkPlan) -> [ApplyFailure] {
        var failures: [ApplyFailure] = []
        // 1. Intent: settle rows of an interrupted run, and write every create and replace as pending.
        var intent = Ledger.Change()
        for repair in plan.repairs {
            switch repair {
            case .confirm(let entry): intent.upserts.append(entry)
            case .drop(let target): intent.deletes.append(target)
            }
        }
        for create in plan.creates {
            var entry = LedgerEntry(wanted: create.link, at: now)
            entry.pending = PendingChange(previous: nil, temporaryPath: nil)
            intent.upserts.append(entry)
        }
        for replace in plan.replaces {
            var entry = LedgerEntry(wanted: replace.new, at: now, createdAt: replace.old.createdAt)
            if replace.old.target == replace.new.target {
                entry.pending = PendingChange(previous: replace.old.link, temporaryPath: Self.temporaryPath(for: replace.new.target))
            } else {
                entry.pending = PendingChange(previous: nil, temporaryPath: nil)
            }
            intent.upserts.append(entry)
        }
        do {
            try ledger.apply(intent)
        } catch {
            // Without a record of intent nothing may be changed on disk.
            return (plan.creates.map(\.link) + plan.replaces.map(\.new)).map {
                ApplyFailure(target: $0.target, mappingLabel: $0.mappingLabel, message: "could not write the state database: \(error)")
            }
                + plan.removes.map {
                    ApplyFailure(target: $0.entry.target, mappingLabel: $0.entry.mappingKey, message: "could not write the state database: \(error)")
                }
        }

        var done = Ledger.Change()
        let total = plan.temporaryCleanups.count + plan.removes.count + plan.replaces.count + plan.creates.count
        var step = 0
        func tick() {
            step += 1
            progress?(step, total)
            if step == killAfter { kill(getpid(), SIGKILL) }
        }
        if killAfter == 0 { kill(getpid(), SIGKILL) }
        var lockLost = false
        func lost(_ target: String, _ label: String) -> Bool {
            if !lockLost, let lock, !lock.verify() {
                lockLost = true
                logger.error("the lock file \(lock.path) was deleted and another run took the lock; this run stops changing anything")
            }
            if lockLost {
                failures.append(
                    ApplyFailure(
                        target: target, mappingLabel: label,
                        message: "not done: the lock file was deleted during the run and another run took the lock"))
            }
            return lockLost
        }

        for temporary in plan.temporaryCleanups {
            if lockLost || !(lock?.verify() ?? true) { lockLost = true; break }
            if FileSystem.observe(temporary.path).holds(temporary.link) { try? FileSystem.remove(temporary.path) }
            tick()
        }
        // 2. Removals first, so a freed path can be reused.
        for remove in plan.removes {
            defer { tick() }
            if lost(remove.entry.target, remove.entry.mappingKey) { continue }
            let seen = FileSystem.observe(remove.entry.target)
            if seen == .missing {
                done.deletes.append(remove.entry.target)
                continue
            }
            guard seen.holds(remove.entry.link) else {
                logger.info("left alone: \(remove.entry.target) no longer holds the link Usher made")
                done.deletes.append(remove.entry.target)
                continue
            }
            do {
                try FileSystem.remove(remove.entry.target)
                done.deletes.append(remove.entry.target)
            } catch {
                failures.append(ApplyFailure(target: remove.entry.target, mappingLabel: remove.entry.mappingKey, message: error.description))
            }
        }
        // 3. Replacements.
        for replace in plan.replaces {
            defer { tick() }
            let new = replace.new
            let old = replace.old
            if lost(new.target, new.mappingLabel) { continue }
            var entry = LedgerEntry(wanted: new, at: now, createdAt: old.createdAt)
            do {
                guard FileSystem.observe(old.target).holds(old.link) else {
                    throw FileSystemError(operation: "replace (the old link changed meanwhile, left alone)", path: old.target, code: EBUSY)
                }
                if old.target == new.target {
                    let temporary = Self.temporaryPath(for: new.target)
                    switch FileSystem.observe(temporary) {
                    case .missing: break
                    case let seen where seen.matches(new.identity): try FileSystem.remove(temporary)  // an earlier attempt at this link
                    default:
                        throw FileSystemError(
                            operation: "replace (a file Usher did not create is at its temporary name, left alone; move it away)", path: temporary, code: EEXIST
                        )
                    }
                    try makeLink(new, at: temporary)
                    do {
                        try FileSystem.move(temporary, to: new.target)
                    } catch {
                        try? FileSystem.remove(temporary)
                        throw error
                    }
                } else {
                    try FileSystem.makeDirectories(Paths.parent(new.target))
                    try makeLink(new, at: new.target)
                    if FileSystem.observe(old.target).holds(old.link) { try? FileSystem.remove(old.target) }
                    done.deletes.append(old.target)
                }
                entry.pending = nil
                done.upserts.append(entry)
            } catch {
                failures.append(ApplyFailure(target: new.target, mappingLabel: new.mappingLabel, message: "\(error)"))
                if old.target == new.target {
                    var restored = old
                    restored.pending = nil
                    done.upserts.append(restored)
                } else {
                    done.deletes.append(new.target)
                }
            }
        }
        // 4. New links: link(2) and symlink(2) create the name atomically and never replace a file.
        for create in plan.creates {
            defer { tick() }
            if lost(create.link.target, create.link.mappingLabel) { continue }
            do {
                try FileSystem.makeDirectories(Paths.parent(create.link.target))
                try makeLink(create.link, at: create.link.target)
                done.upserts.append(LedgerEntry(wanted: create.link, at: now))
            } catch  where error.alreadyExists && FileSystem.observe(create.link.target).matches(create.link.identity) {
                // Exactly the wanted link is there already (another run made it): it is this one's too.
                done.upserts.append(LedgerEntry(wanted: create.link, at: now))
            } catch {
                let message = error.alreadyExists ? "a file appeared at the target during the run; it is left alone" : error.description
                failures.append(ApplyFailure(target: create.link.target, mappingLabel: create.link.mappingLabel, message: message))
                done.deletes.append(create.link.target)
            }
        }
        for link in plan.adopts { done.upserts.append(LedgerEntry(wanted: link, at: now)) }
        done.upserts += plan.refreshes
        done.deletes += plan.forgets.map(\.entry.target)
        do {
            try ledger.apply(done)
        } catch {
            logger.error("could not record the results in the state database; the next run will settle them: \(error)")
        }
        return failures
    }

    private func makeLink(_ link: WantedLink, at path: String) throws(FileSystemError) {
        switch link.identity {
        case .hardlink: try FileSystem.hardLink(from: link.source.path, to: path)
        case .symlink(let destination): try FileSystem.symbolicLink(destination: destination, at: path)
        }
    }
}
