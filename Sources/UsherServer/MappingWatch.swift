import Foundation
import UsherCore
import UsherKit

/// The names in the mapping file, read again only when the file changed (its device, inode, size or
/// modification time), so that a burst of webhooks reads it once.
actor MappingWatch {
    let path: String
    let environment: [String: String]
    private var cached: (stamp: [Int64], names: Result<MappedNames, ConfigError>)?

    init(path: String, environment: [String: String]) {
        self.path = path
        self.environment = environment
    }

    /// `nil` when the file cannot be read or is wrong: the caller then queues the run, which reports it.
    func names() -> MappedNames? {
        guard case .success(let names)? = read() else { return nil }
        return names
    }

    /// What is wrong with the file (file, line and field), or `nil` when it reads.
    func problem() -> String? {
        switch read() {
        case nil: return "cannot read \(path)"
        case .failure(let error)?: return error.description
        case .success?: return nil
        }
    }

    private func read() -> Result<MappedNames, ConfigError>? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let stamp = [
            Int64(info.st_dev), Int64(info.st_ino), Int64(info.st_size), Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec),
        ]
        if let cached, cached.stamp == stamp { return cached.names }
        let names: Result<MappedNames, ConfigError>
        do { names = .success(MappedNames(mappings: try MappingFile.load(path: path, environment: environment))) } catch { names = .failure(error) }
        cached = (stamp, names)
        return names
    }
}
