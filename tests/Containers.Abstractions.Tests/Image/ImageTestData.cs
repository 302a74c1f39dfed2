namespace Containers.Abstractions.Tests.Image;

/// <summary>Finds the example documents under TestData/Image.</summary>
internal static class ImageTestData
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "TestData", "Image");

    public static IEnumerable<TestCaseData> Files(string kind) =>
        Directory.GetFiles(Path.Combine(Root, kind), "*.json")
            .Order(StringComparer.Ordinal)
            .Select(path => new TestCaseData(Path.GetFileName(path)).SetArgDisplayNames(Path.GetFileName(path)));

    public static byte[] Read(string kind, string file) => File.ReadAllBytes(Path.Combine(Root, kind, file));
}
