// The file readers are part of what UsherKit offers its users (the CLI, the tests).
@_exported public import UsherFiles
