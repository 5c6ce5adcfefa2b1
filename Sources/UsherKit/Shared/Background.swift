import Foundation

/// Work started on another thread, and its result waited for.
final class Background<Value: Sendable, Failure: Error>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: Result<Value, Failure>?

    init(_ work: @escaping @Sendable () throws(Failure) -> Value) {
        group.enter()
        DispatchQueue.global().async {
            do throws(Failure) {
                self.result = .success(try work())
            } catch {
                self.result = .failure(error)
            }
            self.group.leave()
        }
    }

    func wait() -> Result<Value, Failure> {
        group.wait()
        return result!
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
    var secondsDouble: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
