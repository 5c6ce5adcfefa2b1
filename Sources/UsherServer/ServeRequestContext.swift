public import Hummingbird
public import NIOCore

/// The request context of `usher serve`: Hummingbird's basic one, and the address the request came from (for the
/// web page's `authentication_required: disabled_for_local_addresses`).
public struct ServeRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
