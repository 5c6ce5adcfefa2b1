// usher-bench: generates a large synthetic library of sparse files and times `usher link` on it.
// See `usher-bench --help`.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == Launcher.flag {
    exit(Launcher.main(Array(arguments.dropFirst())))
}
exit(Bench.main(arguments))
