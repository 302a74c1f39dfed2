// runcs is Linux-only: it clones, mounts and pivots.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
