// usher-bench: generates a large synthetic library of sparse files and times `usher link` on it.
// See `usher-bench --help`.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == Launcher.flag {
    exit(Launcher.main(Array(arguments.dropFirst())))
}
if arguments.first == "web" {
    exit(WebBench.main(arguments))
}
if arguments.first == "watch-sync" {
    exit(WatchSyncBench.main(arguments))
}
if let mode = arguments.first, mode == "match" || mode == "eval" {
    exit(MatchBench.main(arguments))
}
exit(Bench.main(arguments))
