namespace Containers.Linux.Supervision;

/// <summary>The operation names of the shim protocol (docs/shim-protocol.md).</summary>
internal static class ShimOps
{
    public const string Create = "create";
    public const string Start = "start";
    public const string Kill = "kill";
    public const string Wait = "wait";
    public const string Delete = "delete";
    public const string Exec = "exec";
    public const string Pids = "pids";
    public const string Pause = "pause";
    public const string Resume = "resume";
    public const string Update = "update";
    public const string State = "state";
    public const string List = "list";
    public const string Shutdown = "shutdown";
    public const string CloseIO = "closeIO";
    public const string ResizePty = "resizePty";
    public const string Oom = "oom";
    public const string Metrics = "metrics";
}
