// The snapshotter and layer applier are Linux-only; so are their tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
