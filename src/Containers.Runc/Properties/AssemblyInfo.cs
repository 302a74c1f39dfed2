// runcs is Linux-only: it clones, mounts and pivots.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// Unit tests of runcs internals (state.json writer) run in the Linux test project.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Containers.Linux.Tests")]
