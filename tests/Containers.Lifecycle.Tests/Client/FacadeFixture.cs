namespace Containers.Lifecycle.Tests.Client;

/// <summary>A fresh <see cref="FacadeTestBed"/> (registry, root, state) around each test, cleaned up after it.</summary>
public abstract class FacadeFixture
{
    private FacadeTestBed? _bed;

    /// <summary>The current test's bed.</summary>
    internal FacadeTestBed Bed => _bed ?? throw new InvalidOperationException("no bed outside a test");

    [SetUp]
    public async Task CreateBedAsync() => _bed = await FacadeTestBed.CreateAsync();

    [TearDown]
    public async Task DisposeBedAsync()
    {
        if (_bed is not null)
        {
            await _bed.DisposeAsync();
            _bed = null;
        }
    }
}
