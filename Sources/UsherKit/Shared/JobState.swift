import Logging

/// What a job opens before it changes anything, the same way for every job: its run lock beside
/// `usher.db` (none in a dry run) and the state.
enum JobState {
    /// The lock `statePath + suffix`; busy is exit 3, a state folder Usher cannot write exit 1. A lock left by a
    /// run that died is taken over, and `notice` says so.
    static func lock(statePath: String, suffix: String, dryRun: Bool, logger: Logger) throws(JobError) -> (lock: RunLock?, notice: String?) {
        guard !dryRun else { return (nil, nil) }
        do {
            let lock = try RunLock.beside(statePath: statePath, suffix: suffix)
            guard let pid = lock.takenOverFrom else { return (lock, nil) }
            let notice = "took over the lock of an earlier run (pid \(pid)) that did not finish"
            logger.warning("\(notice)")
            return (lock, notice)
        } catch let busy as RunLock.Busy {
            throw JobError(kind: .busy, message: busy.description)
        } catch {
            throw JobError(kind: .state, message: "\(error)")
        }
    }

    /// The state for reading and writing (created and migrated if need be).
    static func open(_ path: String) throws(JobError) -> Ledger {
        do { return try Ledger(path: path) } catch {
            throw JobError(kind: .state, message: "cannot open the state database \(path): \(error)")
        }
    }
}
