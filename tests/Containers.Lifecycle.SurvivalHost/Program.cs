using Containers.Lifecycle.Tasks;
using Containers.Tasks;

// Usage: SurvivalHost STATE SHIM READY-FILE (ID BUNDLE LOG)...
// Creates and starts one task per triple through ShimTaskService, writes READY-FILE, then waits to be killed.
var service = new ShimTaskService(new ShimTaskServiceOptions { StateDirectory = args[0], ShimPath = args[1] });
for (int i = 3; i + 2 < args.Length; i += 3)
{
    var request = new TaskCreateRequest(args[i], args[i + 1]) { IO = new TaskIO { Stdout = "file://" + args[i + 2], Stderr = "file://" + args[i + 2] } };
    int pid = await service.CreateAsync(request);
    _ = await service.StartAsync(args[i]);
    Console.WriteLine($"started {args[i]} {pid}");
}

await File.WriteAllTextAsync(args[2], "ready");
await Task.Delay(Timeout.Infinite);
