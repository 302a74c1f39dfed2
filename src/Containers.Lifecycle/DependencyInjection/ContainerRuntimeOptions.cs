namespace Containers.DependencyInjection;

/// <summary>Options of <see cref="ContainerRuntimeServiceCollectionExtensions.AddContainerRuntime"/>.</summary>
public sealed class ContainerRuntimeOptions
{
    /// <summary>The persistent root (metadata database, later content and snapshots); default <c>/var/lib/containers-dotnet</c>.</summary>
    public string Root { get; set; } = "/var/lib/containers-dotnet";

    /// <summary>The volatile state directory (bundles, shim sockets); default <c>/run/containers-dotnet</c>. Not used yet.</summary>
    public string State { get; set; } = "/run/containers-dotnet";

    /// <summary>The namespace the registered stores work in; default <c>default</c>.</summary>
    public string Namespace { get; set; } = "default";

    /// <summary>The snapshotter containers use; default <c>overlayfs</c>. Recorded only until the snapshotters land.</summary>
    public string Snapshotter { get; set; } = "overlayfs";

    /// <summary>How many events one subscriber may have queued before its oldest are dropped; default 1024.</summary>
    public int EventSubscriberCapacity { get; set; } = new Events.EventBusOptions().SubscriberCapacity;
}
