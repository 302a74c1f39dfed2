using System.Net.Sockets;

namespace Containers.Lifecycle.Tasks;

/// <summary>
/// The inner exception of a <see cref="ShimException"/> whose request never reached the shim (its socket
/// refused the connection or is gone), so the request certainly did nothing and may go elsewhere.
/// </summary>
internal sealed class ShimNotReachedException(SocketException inner) : IOException(inner.Message, inner);
