using System.Runtime.Versioning;

// The content store relies on Unix file modes, flock(2), renameat2(2) and fsync of directories.
[assembly: SupportedOSPlatform("linux")]
