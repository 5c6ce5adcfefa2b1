import Foundation
import UsherCore
import UsherKit

/// The names in the mapping file, read again only when the file changed (its device, inode, size or
/// modification time), so that a burst of webhooks reads it once.
actor MappingWatch {
    let path: String
    let environment: [String: String]
    private var cached: (stamp: [Int64], names: MappedNames)?

    init(path: String, environment: [String: String]) {
        self.path = path
        self.environment = environment
    }

    /// `nil` when the file cannot be read or is wrong: the caller then queues the run, which reports it.
    func names() -> MappedNames? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let stamp = [
            Int64(info.st_dev), Int64(info.st_ino), Int64(info.st_size), Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec),
        ]
        if let cached, cached.stamp == stamp { return cached.names }
        guard let mappings = try? MappingFile.load(path: path, environment: environment) else {
            cached = nil
            return nil
        }
        let names = MappedNames(mappings: mappings)
        cached = (stamp, names)
        return names
    }
}
