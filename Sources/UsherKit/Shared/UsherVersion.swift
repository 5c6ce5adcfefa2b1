/// Usher's version, shown by the CLI and kept with what a run stores (a kept catalog made by another
/// version is not trusted).
public enum UsherVersion {
    public static let current = "0.4.0-dev"
}
