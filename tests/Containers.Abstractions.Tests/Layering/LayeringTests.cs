using System.Reflection;

namespace Containers.Abstractions.Tests.Layering;

/// <summary>
/// DESIGN.md §1: each layer may reference only the layers below it, and Abstractions makes no OS
/// calls. These read the built assemblies' metadata, so a wrong ProjectReference or a stray
/// P/Invoke fails here.
/// </summary>
public sealed class LayeringTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Containers.Abstractions"] = [],
        ["Containers.Linux"] = ["Containers.Abstractions"],
        ["Containers.Images"] = ["Containers.Abstractions"],
        ["Containers.Snapshots"] = ["Containers.Abstractions"],
        ["Containers.Lifecycle"] = ["Containers.Abstractions", "Containers.Linux", "Containers.Images", "Containers.Snapshots"],
    };

    [TestCaseSource(nameof(LayerNames))]
    public void Layer_references_only_layers_below_it(string layer)
    {
        string path = Path.Combine(RepositoryRoot(), "src", layer, layer + ".csproj");
        Assert.That(File.Exists(path), Is.True, path);
        string[] references = System.Xml.Linq.XDocument.Load(path)
            .Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value))
            .ToArray();

        Assert.That(references, Is.SubsetOf(Allowed[layer]), $"{layer} references a layer it may not");
    }

    [Test]
    public void Abstractions_makes_no_os_calls()
    {
        Assembly assembly = typeof(Digest).Assembly;
        MethodInfo[] imports = assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => (m.Attributes & MethodAttributes.PinvokeImpl) != 0)
            .ToArray();

        Assert.That(imports.Select(m => m.DeclaringType + "." + m.Name), Is.Empty);
        Assert.That(assembly.GetReferencedAssemblies().Select(a => a.Name), Has.None.StartsWith("Containers."));
    }

    private static IEnumerable<string> LayerNames() => Allowed.Keys;

    private static string RepositoryRoot()
    {
        DirectoryInfo? directory = new(TestContext.CurrentContext.TestDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Containers.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Containers.sln not found above the test directory");
    }
}
