import Foundation

extension Array where Element: Sendable {
    /// `map` spread over the cores, in order; plain `map` below `threshold` elements.
    func parallelMap<Result: Sendable>(threshold: Int = 256, _ transform: @Sendable (Element) -> Result) -> [Result] {
        let workers = count < threshold ? 1 : ProcessInfo.processInfo.activeProcessorCount
        guard workers > 1 else { return map(transform) }
        let chunk = (count + workers - 1) / workers
        var parts = [[Result]](repeating: [], count: workers)
        parts.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let range = (w * chunk)..<Swift.min(count, (w + 1) * chunk)
                output[w] = range.isEmpty ? [] : self[range].map(transform)
            }
        }
        return parts.flatMap { $0 }
    }
}
