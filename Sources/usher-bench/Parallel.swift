import Foundation

/// Runs `body(i)` for every i in 0..<count on `jobs` threads, handing out indices in order.
/// Stops handing out work after the first error or an interrupt, and rethrows that error.
func parallelFor(count: Int, jobs: Int, interruptible: Bool = true, _ body: @escaping @Sendable (Int) throws(BenchError) -> Void) throws(BenchError) {
    guard count > 0 else { return }
    let state = WorkQueue(count: count, interruptible: interruptible)
    let threads = max(1, min(jobs, count))
    let group = DispatchGroup()
    for _ in 0..<threads {
        group.enter()
        let thread = Thread {
            while let i = state.next() {
                do throws(BenchError) {
                    try body(i)
                } catch {
                    state.fail(error)
                }
            }
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
    if let error = state.error { throw error }
    if interruptible, Interrupt.shared.isSet { throw BenchError("interrupted") }
}

private final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private let count: Int
    private let interruptible: Bool
    private var firstError: BenchError?

    init(count: Int, interruptible: Bool) {
        self.count = count
        self.interruptible = interruptible
    }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard firstError == nil, nextIndex < count, !(interruptible && Interrupt.shared.isSet) else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func fail(_ error: BenchError) {
        lock.lock()
        if firstError == nil { firstError = error }
        lock.unlock()
    }

    var error: BenchError? {
        lock.lock()
        defer { lock.unlock() }
        return firstError
    }
}

/// SIGINT and SIGTERM: remember them (so the work stops and the folder is cleaned up) and pass them
/// on to the running child. A second signal, a second or more later, exits at once.
final class Interrupt: @unchecked Sendable {
    static let shared = Interrupt()

    private let lock = NSLock()
    private var flag = false
    private var child: pid_t = 0
    private var firstSignal = 0.0
    private var sources: [any DispatchSourceSignal] = []

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }

    func setChild(_ pid: pid_t) {
        lock.lock()
        child = pid
        lock.unlock()
    }

    func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                // `timeout` and terminals may deliver one interrupt twice (to us and to our process
                // group), so only a second signal more than a second later means "quit now".
                lock.lock()
                let now = Posix.now()
                let again = flag && now - firstSignal > 1
                if !flag { firstSignal = now }
                flag = true
                let pid = child
                lock.unlock()
                if again { _exit(130) }
                FileHandle.standardError.write(Data("\nusher-bench: interrupted, cleaning up (again to quit at once)\n".utf8))
                if pid > 0 { kill(pid, SIGTERM) }
            }
            source.resume()
            sources.append(source)
        }
    }
}
