// usher-bench: generates a large synthetic library of sparse files and times `usher link` on it.
// See `usher-bench --help`.
import Foundation

exit(Bench.main(Array(CommandLine.arguments.dropFirst())))
