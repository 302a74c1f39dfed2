using System.Runtime.Versioning;

// The code under test runs on Linux only.
[assembly: SupportedOSPlatform("linux")]
