using Containers.Client;
using Containers.DependencyInjection;
using Containers.Images;
using Containers.Samples.JobHost;

// An ASP.NET minimal API host that runs one job per request in a fresh container:
//   POST /jobs  {"args": ["sh", "-c", "echo hello"]}  ->  {"id": …, "exitCode": 0, "stdout": "hello\n", "stderr": ""}
// Configuration (appsettings, environment or command line, e.g. --Jobs:Image=registry/busybox:latest):
//   Jobs:Image (pulled at start), Jobs:MemoryBytes, Jobs:TimeoutSeconds, Containers:Root, Containers:State, Containers:Runcs.
WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
JobSettings settings = builder.Configuration.GetSection("Jobs").Get<JobSettings>() ?? new JobSettings();
builder.Services.AddContainerRuntime(o =>
{
    o.Root = builder.Configuration["Containers:Root"] ?? o.Root;
    o.State = builder.Configuration["Containers:State"] ?? o.State;
    o.RuncsPath = builder.Configuration["Containers:Runcs"] ?? o.RuncsPath;
    o.Namespace = "jobhost";
});
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton<JobImage>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<JobImage>());
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, JobJsonContext.Default));

WebApplication app = builder.Build();

app.MapPost("/jobs", async (JobRequest request, ContainerClient client, JobImage image, JobSettings jobs, CancellationToken requestAborted) =>
{
    if (request.Args is not { Length: > 0 })
    {
        return Results.BadRequest(new JobError("args: a job needs a program"));
    }

    // The request's own token plus the job's time limit: either ends the job (its container is killed and removed).
    using CancellationTokenSource limit = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
    limit.CancelAfter(TimeSpan.FromSeconds(jobs.TimeoutSeconds));
    RunOptions options = new();
    options.Spec.Add(Containers.Oci.SpecOptions.WithMemoryLimit(jobs.MemoryBytes));
    options.Labels["jobhost/client"] = "minimal-api";
    try
    {
        RunResult result = await client.RunAsync(image.Image, request.Args, options, limit.Token);
        return Results.Ok(new JobResult(result.Id, result.ExitCode, result.Stdout, result.Stderr));
    }
    catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
    {
        return Results.Json(new JobError($"the job ran longer than {jobs.TimeoutSeconds} s and was killed"), JobJsonContext.Default.JobError, statusCode: StatusCodes.Status408RequestTimeout);
    }
    catch (Containers.InvalidSpecException ex)
    {
        return Results.BadRequest(new JobError(ex.Message));
    }
});

app.Run();
