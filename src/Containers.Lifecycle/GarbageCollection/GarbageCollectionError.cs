namespace Containers.GarbageCollection;

/// <summary>One object the garbage collector should have removed and could not.</summary>
/// <param name="Kind">What kind of object it is.</param>
/// <param name="Id">The object (a digest, <c>&lt;snapshotter&gt;/&lt;key&gt;</c>, an ingest ref, <c>&lt;namespace&gt;/&lt;id&gt;</c>).</param>
/// <param name="Message">Why it was not removed.</param>
/// <param name="Exception">The failure, when there was one (a snapshot kept because its child could not be removed has none).</param>
public sealed record GarbageCollectionError(GarbageCollectionResourceKind Kind, string Id, string Message, Exception? Exception = null);
