using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Samples.JobHost;

/// <summary>Source-generated JSON for the API's bodies (camelCase, as ASP.NET's defaults).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(JobRequest))]
[JsonSerializable(typeof(JobResult))]
[JsonSerializable(typeof(JobError))]
internal sealed partial class JobJsonContext : JsonSerializerContext;
