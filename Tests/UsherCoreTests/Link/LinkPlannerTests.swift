import Testing
import UsherCore

// Paths of a small library.
private let redemptionPath = "/data/movies/24 Redemption (2008)/24 Redemption (2008) Bluray-1080p.mkv"
private let liveAnotherDayPath = "/data/movies/24 Live Another Day (2014)/24 Live Another Day (2014).mkv"
private let razorPath = "/data/movies/Razor (2007)/Razor (2007).mkv"
private let redemptionTarget = "/data/tv/24/Season 00/24 - S00E09 - Redemption Bluray-1080p.mkv"
private let liveAnotherDayTarget = "/data/tv/24/Season 00/24 - S00E10 - Live Another Day.mkv"
private let razorTarget = "/data/tv/Battlestar Galactica/Season 00/Battlestar Galactica - S00E01 - Razor.mkv"
private let redemptionKey = "24|S00E09"
private let liveAnotherDayKey = "24|S00E10"
private let razorKey = "battlestar galactica|S00E01"

/// A runner with three movies on disk.
private func library() -> Runner {
    var runner = Runner()
    runner.disk.addFile(redemptionPath, inode: 101, size: 1_000)
    runner.disk.addFile(liveAnotherDayPath, inode: 102, size: 2_000)
    runner.disk.addFile(razorPath, inode: 103, size: 3_000)
    return runner
}

private func links(
    _ runner: Runner, kind: LinkKind = .hardlink, symlinkTarget: SymlinkTarget = .relative,
    redemptionAt redemptionSource: String = redemptionPath
) -> [WantedLink] {
    [
        want(redemptionTarget, runner.disk.source(redemptionSource), kind: kind, symlinkTarget: symlinkTarget, key: redemptionKey, show: "24"),
        want(liveAnotherDayTarget, runner.disk.source(liveAnotherDayPath), kind: kind, symlinkTarget: symlinkTarget, key: liveAnotherDayKey, show: "24"),
        want(razorTarget, runner.disk.source(razorPath), kind: kind, symlinkTarget: symlinkTarget, key: razorKey, show: "Battlestar Galactica"),
    ]
}

/// Asserts that planning again changes nothing and that every wanted link is on disk.
private func expectSettled(
    _ runner: Runner, _ wanted: [WantedLink], problems: [MappingProblem] = [],
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    let again = runner.plan(wanted, problems: problems)
    #expect(again.isEmpty, "not settled: \(again.summary)", sourceLocation: sourceLocation)
    #expect(Set(again.unchangedTargets) == Set(wanted.map(\.target)), sourceLocation: sourceLocation)
    #expect(again.conflicts.isEmpty, sourceLocation: sourceLocation)
    for link in wanted {
        #expect(runner.disk.observe(link.target).matches(link.identity), "\(link.target)", sourceLocation: sourceLocation)
    }
}

@Suite("LinkPlanner: idempotence")
struct LinkPlannerIdempotenceTests {
    @Test func hardlinks() {
        var runner = library()
        let wanted = links(runner)
        let first = runner.run(wanted)
        #expect(first.createdTargets == [redemptionTarget, liveAnotherDayTarget, razorTarget].sorted())
        #expect(first.creates.allSatisfy { $0.reason == .new })
        #expect(first.replaces.isEmpty && first.removes.isEmpty && first.forgets.isEmpty && first.conflicts.isEmpty)
        #expect(runner.disk.observe(redemptionTarget) == .file(device: 1, inode: 101, size: 1_000, links: 2))
        #expect(runner.ledger.count == 3)
        #expect(
            runner.ledger.first { $0.target == redemptionTarget }?.link
                == LedgerLink(sourcePath: redemptionPath, identity: .hardlink(device: 1, inode: 101), size: 1_000))
        expectSettled(runner, wanted)
    }

    @Test(arguments: SymlinkTarget.allCases)
    func symlinks(symlinkTarget: SymlinkTarget) {
        var runner = library()
        let wanted = links(runner, kind: .symlink, symlinkTarget: symlinkTarget)
        let first = runner.run(wanted)
        #expect(first.creates.count == 3)
        let expected =
            symlinkTarget == .relative
            ? "../../../movies/24 Redemption (2008)/24 Redemption (2008) Bluray-1080p.mkv" : redemptionPath
        #expect(runner.disk.observe(redemptionTarget) == .symlink(destination: expected))
        expectSettled(runner, wanted)
    }

    @Test func mixedKinds() {
        var runner = library()
        var wanted = links(runner)
        wanted[1] = WantedLink(
            target: liveAnotherDayTarget, source: runner.disk.source(liveAnotherDayPath), kind: .symlink,
            mappingKey: liveAnotherDayKey, mappingLabel: "x", show: "24", targetDevice: 2)
        runner.run(wanted)
        expectSettled(runner, wanted)
    }

    @Test func emptyEverything() {
        let plan = LinkPlanner().plan(.init(wanted: [], ledger: [], observations: [:]))
        #expect(plan.isEmpty)
        #expect(plan.reclaimedBytes == 0)
    }

    @Test func settlesAfterEveryKindOfChange() {
        var runner = library()
        var wanted = links(runner)
        runner.run(wanted)

        // The Redemption file is upgraded (new inode), Razor's link is deleted by hand,
        // Live Another Day becomes a symlink and gets a new name.
        runner.disk.addFile(redemptionPath, inode: 201, size: 1_500)
        runner.disk.remove(razorTarget)
        let renamedTarget = "/data/tv/24/Season 00/24 - S00E10 - Live Another Day Bluray-2160p.mkv"
        wanted = [
            want(redemptionTarget, runner.disk.source(redemptionPath), key: redemptionKey, show: "24"),
            want(renamedTarget, runner.disk.source(liveAnotherDayPath), kind: .symlink, key: liveAnotherDayKey, show: "24"),
            want(razorTarget, runner.disk.source(razorPath), key: razorKey, show: "Battlestar Galactica"),
        ]
        let plan = runner.run(wanted)
        #expect(plan.createdTargets == [razorTarget])
        #expect(plan.creates.first?.reason == .recreated)
        #expect(Set(plan.replaces.map(\.reason.rawValue)) == [LinkPlan.Reason.sourceChanged.rawValue, LinkPlan.Reason.renamed.rawValue])
        #expect(plan.removes.isEmpty)
        #expect(plan.reclaimedBytes == 1_000)
        #expect(runner.disk.observe(liveAnotherDayTarget) == .missing)
        expectSettled(runner, wanted)

        // Then everything is unmapped.
        let removal = runner.run([])
        #expect(Set(removal.removedTargets) == Set(wanted.map(\.target)))
        #expect(removal.removes.allSatisfy { $0.reason == .mappingRemoved })
        #expect(runner.ledger.isEmpty)
        #expect(runner.disk.nodes.keys.allSatisfy { !$0.hasPrefix("/data/tv/") })
        #expect(runner.plan([]).isEmpty)
    }

    /// Random libraries, random changes between runs: one run always settles everything.
    @Test func randomizedRunsSettle() {
        var reasonsSeen = Set<String>()
        for seed in UInt64(0)..<150 {
            randomScenario(seed: seed, reasons: &reasonsSeen)
        }
        // The random changes do reach every kind of change.
        for reason in [LinkPlan.Reason.new, .recreated, .sourceChanged, .kindChanged, .renamed, .mappingRemoved, .targetVanished] {
            #expect(reasonsSeen.contains(reason.rawValue), "\(reason)")
        }
    }

    private func randomScenario(seed: UInt64, reasons: inout Set<String>) {
        var rng = SplitMix64(seed: seed)
        var runner = Runner()
        let movieCount = 5
        var movieFolderVersion = Array(repeating: 0, count: movieCount)
        func moviePath(_ i: Int) -> String { "/data/movies/Movie \(i) (\(2000 + i)) v\(movieFolderVersion[i])/Movie \(i).mkv" }
        for i in 0..<movieCount { runner.disk.addFile(moviePath(i), size: Int64(100 * (i + 1))) }

        struct Slot { var present = false; var movie = 0; var kind = LinkKind.hardlink; var absolute = false; var title = 0 }
        let showCount = 3, episodeCount = 4
        var slots = Array(repeating: Slot(), count: showCount * episodeCount)
        func key(_ s: Int) -> String { "show \(s / episodeCount)|S00E0\(s % episodeCount + 1)" }
        func target(_ s: Int) -> String {
            let show = s / episodeCount, episode = s % episodeCount + 1
            return "/data/tv/Show \(show)/Season 00/Show \(show) - S00E0\(episode) - Title \(slots[s].title).mkv"
        }
        func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

        for round in 0..<5 {
            // Change the mappings.
            for s in slots.indices {
                if round == 0 || chance(0.2) { slots[s].present = round == 0 ? chance(0.7) : !slots[s].present }
                if chance(0.15) { slots[s].movie = Int.random(in: 0..<movieCount, using: &rng) }
                if chance(0.1) { slots[s].kind = slots[s].kind == .hardlink ? .symlink : .hardlink }
                if chance(0.1) { slots[s].absolute.toggle() }
                if chance(0.1) { slots[s].title += 1 }
            }
            // Change the disk behind Usher's back.
            for i in 0..<movieCount {
                if chance(0.1) { runner.disk.addFile(moviePath(i), size: Int64(1_000 + i)) }  // upgraded: new inode
                if chance(0.1) {
                    let old = moviePath(i)
                    movieFolderVersion[i] += 1
                    runner.disk.move(old, to: moviePath(i))  // movie folder renamed
                }
            }
            for entry in runner.ledger where chance(0.1) { runner.disk.remove(entry.target) }  // deleted by hand

            // Some mappings cannot be checked this run.
            var problems: [MappingProblem] = []
            var wanted: [WantedLink] = []
            for s in slots.indices where slots[s].present {
                if round > 0, chance(0.1) {
                    problems.append(MappingProblem(key: key(s), label: key(s), message: "movie not found"))
                    continue
                }
                wanted.append(
                    WantedLink(
                        target: target(s), source: runner.disk.source(moviePath(slots[s].movie)), kind: slots[s].kind,
                        symlinkTarget: slots[s].absolute ? .absolute : .relative, mappingKey: key(s),
                        mappingLabel: key(s), show: "Show \(s / episodeCount)", targetDevice: 1))
            }

            let bytesBefore = runner.disk.liveBytes
            let plan = runner.run(wanted, problems: problems)
            let context = "seed \(seed) round \(round): \(plan.summary)"
            #expect(plan.conflicts.isEmpty, "\(context)")
            #expect(plan.errors.count == problems.count, "\(context)")
            #expect(plan.reclaimedBytes <= bytesBefore - runner.disk.liveBytes, "\(context)")
            for c in plan.creates { reasons.insert(c.reason.rawValue) }
            for r in plan.replaces { reasons.insert(r.reason.rawValue) }
            for r in plan.removes { reasons.insert(r.reason.rawValue) }
            for f in plan.forgets { reasons.insert(f.reason.rawValue) }
            // Exactly one replace or create per link that was not already right.
            let touched = plan.creates.map(\.link.target) + plan.replaces.map(\.new.target) + plan.unchanged.map(\.target)
            #expect(touched.sorted() == wanted.map(\.target).sorted(), "\(context)")

            // Planning again changes nothing.
            let again = runner.plan(wanted, problems: problems)
            #expect(again.isEmpty, "seed \(seed) round \(round), second plan: \(again.summary)")
            #expect(again.unchangedTargets.sorted() == wanted.map(\.target).sorted(), "\(context)")
            for link in wanted {
                #expect(runner.disk.observe(link.target).matches(link.identity), "\(context): \(link.target)")
            }
            // The ledger holds exactly the wanted links, plus the kept links of mappings with problems.
            let problemKeys = Set(problems.map(\.mappingKey))
            let wantedTargets = Set(wanted.map(\.target))
            for entry in runner.ledger {
                #expect(wantedTargets.contains(entry.target) || problemKeys.contains(entry.mappingKey), "\(context): stray row \(entry.target)")
            }
            // Nothing else was left under the TV folder.
            let ledgerTargets = Set(runner.ledger.map(\.target))
            for path in runner.disk.nodes.keys where path.hasPrefix("/data/tv/") {
                #expect(ledgerTargets.contains(path), "\(context): stray file \(path)")
            }
        }
    }
}

extension FakeDisk {
    /// Bytes held by all files on the disk.
    var liveBytes: Int64 {
        var inodes = Set<InodeKey>()
        for node in nodes.values { if case let .file(device, inode) = node { inodes.insert(InodeKey(device: device, inode: inode)) } }
        return inodes.reduce(0) { $0 + (sizes[$1] ?? 0) }
    }
}

@Suite("LinkPlanner: removing and recreating")
struct LinkPlannerRemovalTests {
    @Test(arguments: LinkKind.allCases)
    func removingAMappingRemovesOnlyItsLinks(kind: LinkKind) {
        var runner = library()
        let all = links(runner, kind: kind)
        runner.run(all)
        let remaining = [all[0], all[2]]
        let plan = runner.plan(remaining)
        #expect(plan.removedTargets == [liveAnotherDayTarget])
        #expect(plan.removes.first?.reason == .mappingRemoved)
        #expect(plan.removes.first?.reclaimedBytes == 0)  // the movie still has its own name
        #expect(plan.creates.isEmpty && plan.replaces.isEmpty && plan.forgets.isEmpty && plan.kept.isEmpty)
        #expect(Set(plan.unchangedTargets) == [redemptionTarget, razorTarget])
        var applied = runner
        applied.run(remaining)
        #expect(applied.disk.observe(liveAnotherDayTarget) == .missing)
        #expect(applied.disk.observe(liveAnotherDayPath) != .missing)
        #expect(Set(applied.ledger.map(\.target)) == [redemptionTarget, razorTarget])
        expectSettled(applied, remaining)
    }

    @Test func removingTheLastNameReclaimsItsBytes() {
        var runner = library()
        let all = links(runner)
        runner.run(all)
        runner.disk.remove(razorPath)  // the movie was deleted; only the link keeps it alive
        let plan = runner.plan([all[0], all[1]])
        #expect(plan.removedTargets == [razorTarget])
        #expect(plan.removes.first?.reclaimedBytes == 3_000)
        #expect(plan.reclaimedBytes == 3_000)
    }

    @Test(arguments: LinkKind.allCases)
    func linkRemovedByHandIsRecreated(kind: LinkKind) {
        var runner = library()
        let all = links(runner, kind: kind)
        runner.run(all)
        runner.disk.remove(redemptionTarget)
        let plan = runner.plan(all)
        #expect(plan.createdTargets == [redemptionTarget])
        #expect(plan.creates.first?.reason == .recreated)
        #expect(plan.forgets.isEmpty && plan.removes.isEmpty && plan.replaces.isEmpty)
        runner.run(all)
        expectSettled(runner, all)
    }

    @Test func ledgerRowWhoseTargetVanishedIsForgotten() {
        var runner = library()
        let all = links(runner)
        runner.run(all)
        runner.disk.remove(razorTarget)
        let plan = runner.plan([all[0], all[1]])
        #expect(plan.forgottenTargets == [razorTarget])
        #expect(plan.forgets.first?.reason == .targetVanished)
        #expect(plan.removes.isEmpty)
        runner.run([all[0], all[1]])
        #expect(!runner.ledger.contains { $0.target == razorTarget })
        expectSettled(runner, [all[0], all[1]])
    }

    @Test func ledgerRowWhoseTargetHoldsSomethingElseIsForgottenNotRemoved() {
        var runner = library()
        let all = links(runner)
        runner.run(all)
        // Someone put their own file where Usher's link was.
        let foreign = runner.disk.addFile(razorTarget, inode: 999, size: 42)
        let plan = runner.plan([all[0], all[1]])
        #expect(plan.forgottenTargets == [razorTarget])
        #expect(plan.forgets.first?.reason == .targetNotOurs)
        #expect(plan.removes.isEmpty)
        runner.run([all[0], all[1]])
        #expect(runner.disk.observe(razorTarget) == .file(device: 1, inode: foreign.inode, size: 42, links: 1))
        #expect(!runner.ledger.contains { $0.target == razorTarget })
    }

    @Test func ledgerRowWhoseTargetHoldsSomethingElseAndIsStillWanted() {
        var runner = library()
        let all = links(runner)
        runner.run(all)
        runner.disk.addFile(razorTarget, inode: 999, size: 42)
        let plan = runner.plan(all)
        #expect(plan.forgottenTargets == [razorTarget])
        #expect(plan.forgets.first?.reason == .targetNotOurs)
        #expect(plan.conflicts.map(\.kind) == [.foreignFile])
        #expect(plan.conflicts.first?.target == razorTarget)
        #expect(plan.creates.isEmpty && plan.removes.isEmpty && plan.replaces.isEmpty)
        runner.run(all)
        #expect(runner.disk.observe(razorTarget).matches(.hardlink(device: 1, inode: 999)))
        let again = runner.plan(all)
        #expect(again.isEmpty)
        #expect(again.conflicts.map(\.kind) == [.foreignFile])
    }

    @Test func symlinkRowWhoseTargetPointsElsewhereIsForgotten() {
        var runner = library()
        let all = links(runner, kind: .symlink)
        runner.run(all)
        runner.disk.nodes[razorTarget] = .symlink("/elsewhere.mkv")
        let plan = runner.plan([all[0], all[1]])
        #expect(plan.forgets.map(\.reason) == [.targetNotOurs])
        #expect(plan.removes.isEmpty)
    }
}

@Suite("LinkPlanner: conflicts")
struct LinkPlannerConflictTests {
    @Test func foreignFileIsLeftAlone() {
        var runner = library()
        let link = links(runner)[0]
        runner.disk.addFile(redemptionTarget, inode: 555, size: 700)
        let plan = runner.plan([link])
        #expect(plan.creates.isEmpty)
        #expect(plan.isEmpty)
        #expect(plan.conflicts.count == 1)
        let conflict = plan.conflicts[0]
        #expect(conflict.kind == .foreignFile)
        #expect(conflict.target == redemptionTarget)
        #expect(conflict.sourcePath == redemptionPath)
        #expect(conflict.mappingLabel == "label of \(redemptionKey)")
        #expect(conflict.freeableBytes == nil)
        runner.run([link])
        #expect(runner.disk.observe(redemptionTarget) == .file(device: 1, inode: 555, size: 700, links: 1))
        #expect(runner.ledger.isEmpty)
    }

    @Test func duplicateOfTheSource() {
        var runner = library()
        let link = links(runner)[0]
        runner.disk.addFile(redemptionTarget, inode: 555, size: 1_000)
        let plan = runner.plan([link], identical: [redemptionTarget])
        #expect(plan.conflicts.map(\.kind) == [.duplicate])
        #expect(plan.conflicts.first?.freeableBytes == 1_000)
        #expect(plan.creates.isEmpty)
    }

    @Test func duplicateWithAnotherNameFreesNothing() {
        var runner = library()
        let link = links(runner)[0]
        runner.disk.addFile(redemptionTarget, inode: 555, size: 1_000)
        runner.disk.hardlink("/data/backup/copy.mkv", to: redemptionTarget)
        let plan = runner.plan([link], identical: [redemptionTarget])
        #expect(plan.conflicts.map(\.kind) == [.duplicate])
        #expect(plan.conflicts.first?.freeableBytes == 0)
    }

    @Test func alreadyLinkedWithoutLedgerRow() {
        var runner = library()
        let link = links(runner)[0]
        runner.disk.hardlink(redemptionTarget, to: redemptionPath)
        let plan = runner.plan([link])
        #expect(plan.conflicts.map(\.kind) == [.alreadyLinked])
        #expect(plan.adopts.isEmpty && plan.creates.isEmpty)
        #expect(plan.isEmpty)
    }

    @Test(arguments: LinkKind.allCases)
    func adopt(kind: LinkKind) {
        var runner = library()
        let link = links(runner, kind: kind)[0]
        runner.disk.put(link.identity, at: redemptionTarget)
        let plan = runner.run([link], adopt: true)
        #expect(plan.adopts == [link])
        #expect(plan.conflicts.isEmpty && plan.creates.isEmpty)
        #expect(runner.ledger == [LedgerEntry(wanted: link, at: 1_000)])
        expectSettled(runner, [link])
    }

    @Test func foreignSymlink() {
        var runner = library()
        let link = links(runner, kind: .symlink)[0]
        runner.disk.nodes[redemptionTarget] = .symlink("/somewhere/else.mkv")
        #expect(runner.plan([link]).conflicts.map(\.kind) == [.foreignFile])
        // A symlink where a hardlink is wanted is foreign too.
        let hard = links(runner)[0]
        #expect(runner.plan([hard]).conflicts.map(\.kind) == [.foreignFile])
    }

    @Test func directoryAtTarget() {
        var runner = library()
        let link = links(runner)[0]
        runner.disk.nodes[redemptionTarget] = .directory
        let plan = runner.plan([link])
        #expect(plan.conflicts.map(\.kind) == [.notAFile])
        #expect(plan.creates.isEmpty)
    }

    @Test func otherKindOfFileAtTarget() {
        let runner = library()
        let link = links(runner)[0]
        let plan = LinkPlanner().plan(.init(wanted: [link], ledger: [], observations: [redemptionTarget: .other]))
        #expect(plan.conflicts.map(\.kind) == [.notAFile])
    }

    @Test func unreadableTarget() {
        let runner = library()
        let link = links(runner)[0]
        let plan = LinkPlanner().plan(.init(wanted: [link], ledger: [], observations: [redemptionTarget: .unknown(reason: "EACCES")]))
        #expect(plan.conflicts.map(\.kind) == [.unreadable])
        #expect(plan.creates.isEmpty)
        // A target that was not examined at all is unreadable too.
        let unexamined = LinkPlanner().plan(.init(wanted: [link], ledger: [], observations: [:]))
        #expect(unexamined.conflicts.map(\.kind) == [.unreadable])
        #expect(unexamined.creates.isEmpty)
    }
}

@Suite("LinkPlanner: replacing")
struct LinkPlannerReplaceTests {
    @Test func sourceChangedReclaimsTheOldFile() {
        var runner = library()
        let before = links(runner)
        runner.run(before)
        runner.disk.addFile(redemptionPath, inode: 201, size: 1_500)  // upgraded: the old file's only name is the link
        let after = links(runner)
        let plan = runner.plan(after)
        #expect(plan.replaces.count == 1)
        let replace = plan.replaces[0]
        #expect(replace.reason == .sourceChanged)
        #expect(replace.old.target == redemptionTarget)
        #expect(replace.old.link.identity == .hardlink(device: 1, inode: 101))
        #expect(replace.new.target == redemptionTarget)
        #expect(replace.new.identity == .hardlink(device: 1, inode: 201))
        #expect(replace.reclaimedBytes == 1_000)
        #expect(plan.reclaimedBytes == 1_000)
        #expect(plan.creates.isEmpty && plan.removes.isEmpty && plan.forgets.isEmpty)
        runner.run(after)
        #expect(runner.disk.observe(redemptionTarget) == .file(device: 1, inode: 201, size: 1_500, links: 2))
        #expect(runner.ledger.first { $0.target == redemptionTarget }?.link.size == 1_500)
        expectSettled(runner, after)
    }

    @Test func sourceChangedWithOldFileStillNamedElsewhereReclaimsNothing() {
        var runner = library()
        runner.run(links(runner))
        runner.disk.hardlink("/data/backup/old.mkv", to: redemptionPath)
        runner.disk.addFile(redemptionPath, inode: 201, size: 1_500)
        #expect(runner.disk.observe(redemptionTarget) == .file(device: 1, inode: 101, size: 1_000, links: 2))
        let plan = runner.plan(links(runner))
        #expect(plan.replaces.map(\.reason) == [.sourceChanged])
        #expect(plan.replaces.first?.reclaimedBytes == 0)
        #expect(plan.reclaimedBytes == 0)
    }

    @Test func reclaimedBytesFollowTheObservedLinkCount() {
        let old = SourceFile(path: redemptionPath, device: 1, inode: 101, size: 1_000)
        let new = SourceFile(path: redemptionPath, device: 1, inode: 201, size: 1_500)
        let entry = LedgerEntry(wanted: want(redemptionTarget, old, key: redemptionKey), at: 5)
        let link = want(redemptionTarget, new, key: redemptionKey)
        for (links, expected) in [(1, Int64(1_000)), (2, 0), (3, 0)] {
            let plan = LinkPlanner().plan(
                .init(
                    wanted: [link], ledger: [entry],
                    observations: [
                        redemptionTarget: .file(device: 1, inode: 101, size: 1_000, links: links)
                    ]))
            #expect(plan.replaces.map(\.reason) == [.sourceChanged])
            #expect(plan.replaces.first?.reclaimedBytes == expected, "links \(links)")
        }
    }

    @Test func symlinkSourceMoved() {
        var runner = library()
        runner.run(links(runner, kind: .symlink))
        let moved = "/data/movies/24 - Redemption (2008)/24 Redemption (2008) Bluray-1080p.mkv"
        runner.disk.move(redemptionPath, to: moved)
        let after = links(runner, kind: .symlink, redemptionAt: moved)
        let plan = runner.run(after)
        #expect(plan.replaces.map(\.reason) == [.sourceChanged])
        #expect(plan.replaces.first?.reclaimedBytes == 0)
        #expect(runner.disk.observe(redemptionTarget) == .symlink(destination: "../../../movies/24 - Redemption (2008)/24 Redemption (2008) Bluray-1080p.mkv"))
        expectSettled(runner, after)
    }

    @Test func hardlinkSourceMovedOnlyRefreshesTheLedger() {
        var runner = library()
        runner.run(links(runner))
        let createdAt = runner.ledger.first { $0.target == redemptionTarget }!.createdAt
        let moved = "/data/movies/24 - Redemption (2008)/24 Redemption (2008) Bluray-1080p.mkv"
        runner.disk.move(redemptionPath, to: moved)
        let after = links(runner, redemptionAt: moved)
        runner.now = 2_000
        let plan = runner.run(after)
        #expect(plan.replaces.isEmpty && plan.creates.isEmpty)
        #expect(Set(plan.unchangedTargets) == Set(after.map(\.target)))
        #expect(plan.refreshes.count == 1)
        #expect(plan.refreshes.first?.target == redemptionTarget)
        #expect(plan.refreshes.first?.link.sourcePath == moved)
        #expect(plan.refreshes.first?.createdAt == createdAt)
        #expect(plan.refreshes.first?.updatedAt == 2_000)
        #expect(!plan.isEmpty)
        expectSettled(runner, after)
    }

    @Test func kindChanged() {
        var runner = library()
        runner.run(links(runner))
        let after = links(runner, kind: .symlink)
        let plan = runner.run(after)
        #expect(plan.replaces.count == 3)
        #expect(plan.replaces.allSatisfy { $0.reason == .kindChanged })
        #expect(plan.reclaimedBytes == 0)
        expectSettled(runner, after)
    }

    @Test func differentSourceMappedToTheEpisode() {
        var runner = library()
        let before = links(runner)
        runner.run(before)
        // The same target, now claimed by a mapping of another key with another movie.
        let after = [want(redemptionTarget, runner.disk.source(razorPath), key: "24|S00E09 (other)", show: "24"), before[1], before[2]]
        let plan = runner.run(after)
        #expect(plan.replaces.map(\.reason) == [.mappingChanged])
        #expect(plan.removes.isEmpty)
        expectSettled(runner, after)
    }

    @Test func sameLinkUnderAnotherKeyIsRefreshed() {
        var runner = library()
        let before = links(runner)
        runner.run(before)
        var after = before
        after[0].mappingKey = "24|S00E09 renamed key"
        let plan = runner.run(after)
        #expect(plan.replaces.isEmpty && plan.removes.isEmpty)
        #expect(plan.refreshes.map(\.mappingKey) == ["24|S00E09 renamed key"])
        expectSettled(runner, after)
    }

    @Test(arguments: LinkKind.allCases)
    func fileNameChangedIsOneRename(kind: LinkKind) {
        var runner = library()
        let before = links(runner, kind: kind)
        runner.run(before)
        let newTarget = "/data/tv/24/Season 00/24 - S00E09 - Redemption Bluray-2160p.mkv"
        var after = before
        after[0] = want(newTarget, runner.disk.source(redemptionPath), kind: kind, key: redemptionKey, show: "24")
        let plan = runner.plan(after)
        #expect(plan.replaces.count == 1)
        #expect(plan.replaces.first?.reason == .renamed)
        #expect(plan.replaces.first?.old.target == redemptionTarget)
        #expect(plan.replaces.first?.new.target == newTarget)
        #expect(plan.replaces.first?.reclaimedBytes == 0)
        #expect(plan.creates.isEmpty && plan.removes.isEmpty && plan.forgets.isEmpty)
        runner.run(after)
        #expect(runner.disk.observe(redemptionTarget) == .missing)
        #expect(runner.disk.observe(newTarget).matches(after[0].identity))
        #expect(runner.ledger.map(\.target).sorted() == after.map(\.target).sorted())
        expectSettled(runner, after)
    }

    @Test func renameOfALinkRemovedByHandIsAFreshCreate() {
        var runner = library()
        let before = links(runner)
        runner.run(before)
        runner.disk.remove(redemptionTarget)
        let newTarget = "/data/tv/24/Season 00/24 - S00E09 - Redemption Bluray-2160p.mkv"
        var after = before
        after[0] = want(newTarget, runner.disk.source(redemptionPath), key: redemptionKey, show: "24")
        let plan = runner.run(after)
        #expect(plan.createdTargets == [newTarget])
        #expect(plan.creates.first?.reason == .new)
        #expect(plan.forgets.map(\.reason) == [.targetVanished])
        #expect(plan.replaces.isEmpty && plan.removes.isEmpty)
        expectSettled(runner, after)
    }
}

@Suite("LinkPlanner: a rename blocked by a foreign file")
struct LinkPlannerRenameBlockedTests {
    @Test func oldLinkIsKeptWhileTheNewPathIsBlocked() {
        var runner = library()
        let before = links(runner)
        runner.run(before)
        let newTarget = "/data/tv/24/Season 00/24 - S00E09 - Redemption Bluray-2160p.mkv"
        runner.disk.addFile(newTarget, size: 1)
        var after = before
        after[0] = want(newTarget, runner.disk.source(redemptionPath), key: redemptionKey, show: "24")
        let plan = runner.plan(after)
        #expect(plan.conflicts.map(\.kind) == [.foreignFile])
        #expect(plan.conflicts.first?.mappingKey == redemptionKey)
        #expect(plan.removes.isEmpty)
        #expect(plan.keptTargets == [redemptionTarget])
    }
}

@Suite("LinkPlanner: mappings with problems")
struct LinkPlannerProblemTests {
    @Test func problemMappingKeepsItsLinks() {
        var runner = library()
        let all = links(runner)
        runner.run(all)
        let problem = MappingProblem(key: razorKey, label: "Razor (2007) → Battlestar Galactica S00E01", message: "movie folder not found")
        let plan = runner.plan([all[0], all[1]], problems: [problem])
        #expect(plan.keptTargets == [razorTarget])
        #expect(plan.kept.first?.entry.mappingKey == razorKey)
        #expect(plan.removes.isEmpty && plan.forgets.isEmpty && plan.replaces.isEmpty && plan.creates.isEmpty)
        #expect(plan.errors == [problem])
        #expect(plan.isEmpty)
        runner.run([all[0], all[1]], problems: [problem])
        #expect(runner.disk.observe(razorTarget).matches(all[2].identity))
        #expect(runner.ledger.count == 3)
    }

    @Test func problemMappingKeepsARowWhoseLinkIsGone() {
        var runner = library()
        let all = links(runner)
        runner.run(all)
        runner.disk.remove(razorTarget)
        let problem = MappingProblem(key: razorKey, label: "Razor", message: "movie folder not found")
        let plan = runner.plan([all[0], all[1]], problems: [problem])
        #expect(plan.keptTargets == [razorTarget])
        #expect(plan.forgets.isEmpty)
        // Once the problem is solved, the link comes back.
        let fixed = runner.run(all)
        #expect(fixed.creates.map(\.reason) == [.recreated])
    }

    @Test func problemFromMappingValidationKeepsLinks() {
        // The problems of `MappingValidation` carry the same keys as the links.
        var runner = library()
        let all = links(runner)
        runner.run(all)
        let mapping = LinkMapping(
            source: .movie(MovieRef(title: "Razor", year: 2007)), show: ShowRef(title: "Battlestar Galactica"),
            episodes: [EpisodeNumber(season: 0, episode: 1)])
        #expect(mapping.key == razorKey)
        let plan = runner.plan([all[0], all[1]], problems: [MappingProblem(mapping: mapping, message: "claimed twice")])
        #expect(plan.keptTargets == [razorTarget])
        #expect(plan.removes.isEmpty)
    }

    @Test func hardlinkAcrossFilesystemsIsAnErrorAndKeepsExistingLinks() {
        var runner = library()
        let all = links(runner)
        runner.run(all)
        var moved = all
        moved[2] = want(razorTarget, runner.disk.source(razorPath), key: razorKey, show: "Battlestar Galactica", targetDevice: 2)
        let plan = runner.plan(moved)
        #expect(plan.errors.count == 1)
        #expect(plan.errors.first?.mappingKey == razorKey)
        #expect(plan.errors.first?.label == "label of \(razorKey)")
        #expect(plan.errors.first?.message.contains("different filesystems") == true)
        #expect(plan.keptTargets == [razorTarget])
        #expect(plan.removes.isEmpty && plan.forgets.isEmpty && plan.creates.isEmpty && plan.replaces.isEmpty)
        #expect(Set(plan.unchangedTargets) == [redemptionTarget, liveAnotherDayTarget])
    }

    @Test func hardlinkAcrossFilesystemsKeepsOtherLinksOfTheMapping() {
        var runner = library()
        let all = links(runner)
        runner.run(all)
        // The mapping's file name changed and its new folder is on another filesystem.
        let newTarget = "/other/tv/Battlestar Galactica/Season 00/Battlestar Galactica - S00E01 - Razor.mkv"
        var moved = all
        moved[2] = want(newTarget, runner.disk.source(razorPath), key: razorKey, show: "Battlestar Galactica", targetDevice: 2)
        let plan = runner.plan(moved)
        #expect(plan.errors.map(\.mappingKey) == [razorKey])
        #expect(plan.keptTargets == [razorTarget])
        #expect(plan.removes.isEmpty && plan.replaces.isEmpty && plan.creates.isEmpty)
    }

    @Test func newHardlinkAcrossFilesystemsCreatesNothing() {
        let runner = library()
        let link = want(redemptionTarget, runner.disk.source(redemptionPath), key: redemptionKey, targetDevice: 7)
        let plan = runner.plan([link])
        #expect(plan.errors.map(\.mappingKey) == [redemptionKey])
        #expect(plan.creates.isEmpty)
        #expect(plan.isEmpty)
    }

    @Test func symlinkAcrossFilesystemsIsFine() {
        let runner = library()
        let symlink = want(redemptionTarget, runner.disk.source(redemptionPath), kind: .symlink, key: redemptionKey, targetDevice: 7)
        let unknownDevice = want(razorTarget, runner.disk.source(razorPath), key: razorKey, targetDevice: nil)
        let plan = runner.plan([symlink, unknownDevice])
        #expect(plan.errors.isEmpty)
        #expect(Set(plan.createdTargets) == [razorTarget, redemptionTarget])
    }

    @Test func twoMappingsWithTheSameTargetAreBothErrors() {
        var runner = library()
        let a = want(redemptionTarget, runner.disk.source(redemptionPath), key: "a|S00E09", show: "24")
        let b = want(redemptionTarget, runner.disk.source(razorPath), key: "b|S00E09", show: "24")
        let plan = runner.plan([a, b])
        #expect(plan.errors.count == 2)
        #expect(Set(plan.errors.map(\.mappingKey)) == ["a|S00E09", "b|S00E09"])
        #expect(plan.errors.allSatisfy { $0.message.contains(redemptionTarget) })
        #expect(plan.errors.first { $0.mappingKey == "a|S00E09" }?.message.contains("label of b|S00E09") == true)
        #expect(plan.errors.first { $0.mappingKey == "b|S00E09" }?.message.contains("label of a|S00E09") == true)
        #expect(plan.creates.isEmpty && plan.conflicts.isEmpty)
        // And an existing link of one of them is kept.
        runner.run([a])
        let again = runner.plan([a, b])
        #expect(again.keptTargets == [redemptionTarget])
        #expect(again.removes.isEmpty && again.replaces.isEmpty)
    }

    @Test func sameTargetTwiceForOneMappingIsNoError() {
        let runner = library()
        let a = want(redemptionTarget, runner.disk.source(redemptionPath), key: redemptionKey)
        let plan = runner.plan([a, a])
        #expect(plan.errors.isEmpty)
        #expect(plan.createdTargets == [redemptionTarget])
    }
}

@Suite("LinkPlanner: interrupted runs")
struct LinkPlannerPendingTests {
    private static let temporary = "/data/tv/24/Season 00/.usher-tmp-1"

    private func pendingEntry(_ link: WantedLink, previous: LedgerLink? = nil, temporary: String? = nil) -> LedgerEntry {
        var entry = LedgerEntry(wanted: link, at: 10)
        entry.pending = PendingChange(previous: previous, temporaryPath: temporary)
        return entry
    }

    @Test func pendingCreateThatHappenedIsConfirmed() {
        var runner = library()
        let link = links(runner)[0]
        runner.disk.put(link.identity, at: link.target)
        runner.ledger = [pendingEntry(link)]
        let plan = runner.plan([link])
        var confirmed = runner.ledger[0]
        confirmed.pending = nil
        #expect(plan.repairs == [.confirm(confirmed)])
        #expect(plan.unchangedTargets == [redemptionTarget])
        #expect(plan.creates.isEmpty && plan.conflicts.isEmpty)
        runner.run([link])
        #expect(runner.ledger == [confirmed])
        expectSettled(runner, [link])
    }

    @Test func pendingCreateThatDidNotHappenIsDroppedThenCreated() {
        var runner = library()
        let link = links(runner)[0]
        runner.ledger = [pendingEntry(link)]
        let plan = runner.plan([link])
        #expect(plan.repairs == [.drop(target: redemptionTarget)])
        #expect(plan.createdTargets == [redemptionTarget])
        #expect(plan.creates.first?.reason == .new)
        runner.run([link])
        #expect(runner.ledger.first?.pending == nil)
        expectSettled(runner, [link])
    }

    @Test func pendingCreateNoLongerWantedIsDropped() {
        var runner = library()
        let link = links(runner)[0]
        runner.ledger = [pendingEntry(link)]
        let plan = runner.run([])
        #expect(plan.repairs == [.drop(target: redemptionTarget)])
        #expect(plan.forgets.isEmpty && plan.removes.isEmpty)
        #expect(runner.ledger.isEmpty)
    }

    @Test func pendingReplaceThatDidNotHappenIsConfirmedWithThePreviousLinkThenReplaced() {
        var runner = library()
        let old = links(runner)[0]
        runner.run([old])  // the link to inode 101
        runner.disk.addFile(redemptionPath, inode: 201, size: 1_500)
        let new = links(runner)[0]
        let previous = runner.ledger[0].link
        runner.ledger = [pendingEntry(new, previous: previous, temporary: Self.temporary)]
        let plan = runner.plan([new])
        var expected = runner.ledger[0]
        expected.link = previous
        expected.pending = nil
        #expect(plan.repairs == [.confirm(expected)])
        #expect(plan.temporaryCleanups.isEmpty)
        #expect(plan.replaces.count == 1)
        #expect(plan.replaces.first?.reason == .sourceChanged)
        #expect(plan.replaces.first?.old.link == previous)
        #expect(plan.replaces.first?.reclaimedBytes == 1_000)
        runner.run([new])
        expectSettled(runner, [new])
    }

    @Test func pendingReplaceLeavesItsTemporaryLinkToClean() {
        var runner = library()
        let old = links(runner)[0]
        runner.run([old])
        runner.disk.addFile(redemptionPath, inode: 201, size: 1_500)
        let new = links(runner)[0]
        runner.disk.put(new.identity, at: Self.temporary)  // made, but not yet renamed into place
        let previous = runner.ledger[0].link
        runner.ledger = [pendingEntry(new, previous: previous, temporary: Self.temporary)]
        let plan = runner.plan([new])
        #expect(plan.temporaryCleanups.map(\.path) == [Self.temporary])
        #expect(plan.repairs.count == 1)
        #expect(plan.replaces.map(\.reason) == [.sourceChanged])
        runner.run([new])
        #expect(runner.disk.observe(Self.temporary) == .missing)
        expectSettled(runner, [new])
    }

    @Test func temporaryPathHoldingSomethingElseIsNotCleaned() {
        var runner = library()
        let old = links(runner)[0]
        runner.run([old])
        runner.disk.addFile(redemptionPath, inode: 201, size: 1_500)
        let new = links(runner)[0]
        runner.disk.addFile(Self.temporary, inode: 777, size: 5)
        runner.ledger = [pendingEntry(new, previous: runner.ledger[0].link, temporary: Self.temporary)]
        let plan = runner.plan([new])
        #expect(plan.temporaryCleanups.isEmpty)
    }

    @Test func pendingReplaceThatHappenedIsConfirmed() {
        var runner = library()
        let old = links(runner)[0]
        runner.run([old])
        let previous = runner.ledger[0].link
        runner.disk.addFile(redemptionPath, inode: 201, size: 1_500)
        let new = links(runner)[0]
        runner.disk.put(new.identity, at: new.target)  // renamed into place
        runner.ledger = [pendingEntry(new, previous: previous, temporary: Self.temporary)]
        let plan = runner.plan([new])
        var expected = runner.ledger[0]
        expected.pending = nil
        #expect(plan.repairs == [.confirm(expected)])
        #expect(plan.temporaryCleanups.isEmpty)
        #expect(plan.replaces.isEmpty)
        #expect(plan.unchangedTargets == [redemptionTarget])
    }

    @Test func pendingReplaceWhoseTargetWasRemovedIsRecreated() {
        var runner = library()
        let old = links(runner)[0]
        runner.run([old])
        let previous = runner.ledger[0].link
        runner.disk.addFile(redemptionPath, inode: 201, size: 1_500)
        runner.disk.remove(redemptionTarget)
        let new = links(runner)[0]
        runner.ledger = [pendingEntry(new, previous: previous)]
        let plan = runner.plan([new])
        var expected = runner.ledger[0]
        expected.link = previous
        expected.pending = nil
        #expect(plan.repairs == [.confirm(expected)])
        #expect(plan.creates.map(\.reason) == [.recreated])
        runner.run([new])
        expectSettled(runner, [new])
    }

    @Test func pendingRowWhoseTargetHoldsAForeignFileIsDropped() {
        var runner = library()
        let link = links(runner)[0]
        runner.disk.addFile(redemptionTarget, inode: 888, size: 9)
        runner.ledger = [pendingEntry(link, previous: LedgerLink(sourcePath: redemptionPath, identity: .hardlink(device: 1, inode: 50), size: 1))]
        let plan = runner.plan([link])
        #expect(plan.repairs == [.drop(target: redemptionTarget)])
        #expect(plan.conflicts.map(\.kind) == [.foreignFile])
        #expect(plan.removes.isEmpty && plan.forgets.isEmpty && plan.creates.isEmpty)
    }

    @Test func unknownObservationNeverRemovesOrForgets() {
        let runner = library()
        let link = links(runner)[0]
        let entry = LedgerEntry(wanted: link, at: 10)
        let pending = pendingEntry(links(runner)[2], previous: nil, temporary: nil)
        for observations in [
            [redemptionTarget: PathObservation.unknown(reason: "EIO"), razorTarget: .unknown(reason: "EIO")],
            [:],  // not examined at all
        ] {
            // Not wanted any more.
            let plan = LinkPlanner().plan(.init(wanted: [], ledger: [entry, pending], observations: observations))
            #expect(plan.removes.isEmpty)
            #expect(plan.forgets.isEmpty)
            #expect(plan.repairs.isEmpty)
            #expect(Set(plan.keptTargets) == [redemptionTarget, razorTarget])
            #expect(plan.isEmpty)
            // Still wanted.
            let wantedPlan = LinkPlanner().plan(.init(wanted: [link, links(runner)[2]], ledger: [entry, pending], observations: observations))
            #expect(wantedPlan.removes.isEmpty && wantedPlan.forgets.isEmpty && wantedPlan.creates.isEmpty && wantedPlan.replaces.isEmpty)
            #expect(wantedPlan.repairs.isEmpty)
            #expect(Set(wantedPlan.conflicts.map(\.target)) == [redemptionTarget, razorTarget])
            #expect(wantedPlan.conflicts.allSatisfy { $0.kind == .unreadable })
        }
    }
}

@Suite("LinkPlanner: sources gone from Radarr or Sonarr")
struct LinkPlannerGoneTests {
    @Test func goneMappingLosesItsLinkWithTheReason() {
        var runner = library()
        let wanted = links(runner)
        runner.run(wanted)
        let gone = MappingProblem(key: redemptionKey, label: "24: Redemption", message: "24: Redemption (2008) is not in radarr main")
        let plan = runner.run(Array(wanted.dropFirst()), gone: [gone])
        #expect(plan.removes.map(\.entry.target) == [redemptionTarget])
        #expect(plan.removes.first?.reason == .sourceGone)
        #expect(plan.removes.first?.detail == gone.message)
        #expect(plan.removes.first?.reclaimedBytes == 0, "the movie file still has its own name")
        #expect(plan.errors.isEmpty)
        // Nothing linked any more: the next run reports the mapping.
        let next = runner.plan(Array(wanted.dropFirst()), gone: [gone])
        #expect(next.errors == [gone])
    }

    @Test func unknownWinsOverGone() {
        var runner = library()
        let wanted = links(runner)
        runner.run(wanted)
        let problem = MappingProblem(key: redemptionKey, label: "24: Redemption", message: "sonarr main did not answer")
        let gone = MappingProblem(key: redemptionKey, label: "24: Redemption", message: "not in radarr main")
        let plan = runner.plan(Array(wanted.dropFirst()), problems: [problem], gone: [gone])
        #expect(plan.removes.isEmpty)
        #expect(plan.kept.map(\.entry.target) == [redemptionTarget])
    }
}

@Suite("LinkPlanner: a file that reused the inode of Usher's link")
struct LinkPlannerInodeReuseTests {
    /// The movie and its link were deleted by hand; a new file at the link's path was given the same
    /// inode (ext4 hands freed inodes out again). Removing the mapping must not delete it.
    @Test func newFileWithTheLinksInodeAndAnotherSizeIsNotUsers() {
        var runner = library()
        let link = links(runner)[0]
        runner.run([link])
        runner.disk.remove(redemptionPath)
        runner.disk.remove(redemptionTarget)
        runner.disk.addFile(redemptionTarget, inode: 101, size: 4_321)
        let plan = runner.run([])
        #expect(plan.removes.isEmpty)
        #expect(plan.forgottenTargets == [redemptionTarget])
        #expect(plan.forgets.first?.reason == .targetNotOurs)
        #expect(runner.disk.observe(redemptionTarget) == .file(device: 1, inode: 101, size: 4_321, links: 1))
        #expect(runner.ledger.isEmpty)
    }

    @Test func linkWhoseMovieWasDeletedIsStillUsersAndRemoved() {
        var runner = library()
        let link = links(runner)[0]
        runner.run([link])
        runner.disk.remove(redemptionPath)  // only the link keeps the bytes now: same inode, same size
        let plan = runner.run([])
        #expect(plan.removedTargets == [redemptionTarget])
        #expect(plan.removes.first?.reclaimedBytes == 1_000)
    }

    /// A file changed in place (a tag editor) keeps its inode and both names: still Usher's link.
    @Test func linkWhoseSourceChangedSizeInPlaceIsStillUsers() {
        var runner = library()
        let link = links(runner)[0]
        runner.run([link])
        runner.disk.sizes[.init(device: 1, inode: 101)] = 1_234
        let plan = runner.run([])
        #expect(plan.removedTargets == [redemptionTarget])
    }

    @Test func aReusedInodeIsNotReplacedEither() {
        var runner = library()
        runner.run([links(runner)[0]])
        runner.disk.remove(redemptionPath)
        runner.disk.remove(redemptionTarget)
        runner.disk.addFile(redemptionTarget, inode: 101, size: 7)
        runner.disk.addFile(redemptionPath, inode: 301, size: 1_500)  // a new movie file
        let plan = runner.run([links(runner)[0]])
        #expect(plan.replaces.isEmpty)
        #expect(plan.forgottenTargets == [redemptionTarget])
        #expect(plan.conflicts.map(\.kind) == [.foreignFile])
        #expect(runner.disk.observe(redemptionTarget) == .file(device: 1, inode: 101, size: 7, links: 1))
    }

    @Test func temporaryNameHoldingAReusedInodeIsNotCleaned() {
        var runner = library()
        runner.run([links(runner)[0]])
        let previous = runner.ledger[0].link
        runner.disk.addFile(redemptionPath, inode: 201, size: 1_500)
        let new = links(runner)[0]
        let temporary = "/data/tv/24/Season 00/.usher-tmp-1"
        runner.disk.addFile(temporary, inode: 201, size: 9)  // not possible on one disk, but the rule must hold
        runner.disk.remove(redemptionPath)
        var entry = LedgerEntry(wanted: new, at: 1)
        entry.pending = PendingChange(previous: previous, temporaryPath: temporary)
        runner.ledger = [entry]
        #expect(runner.plan([]).temporaryCleanups.isEmpty)
    }
}
