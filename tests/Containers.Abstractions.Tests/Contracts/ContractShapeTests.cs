using System.Reflection;

namespace Containers.Abstractions.Tests.Contracts;

[TestFixture]
public sealed class ContractShapeTests
{
    private static readonly Assembly Abstractions = typeof(ContainersException).Assembly;

    private static IEnumerable<Type> PublicInterfaces(Assembly assembly) =>
        assembly.GetExportedTypes().Where(t => t.IsInterface);

    private static bool IsAsyncShape(Type returnType)
    {
        if (returnType == typeof(Task) || returnType == typeof(ValueTask))
        {
            return true;
        }

        if (!returnType.IsGenericType)
        {
            return false;
        }

        var definition = returnType.GetGenericTypeDefinition();
        return definition == typeof(Task<>) || definition == typeof(ValueTask<>) || definition == typeof(IAsyncEnumerable<>);
    }

    // Every async member must end in "CancellationToken cancellationToken = default".
    private static IEnumerable<string> Violations(IEnumerable<Type> interfaces)
    {
        foreach (var type in interfaces)
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                if (!IsAsyncShape(method.ReturnType))
                {
                    continue;
                }

                var name = $"{type.Name}.{method.Name}";
                var parameters = method.GetParameters();
                var last = parameters.LastOrDefault();
                if (last is null || last.ParameterType != typeof(CancellationToken))
                {
                    yield return $"{name}: last parameter is not a CancellationToken";
                    continue;
                }

                if (last.Name != "cancellationToken" || !last.IsOptional)
                {
                    yield return $"{name}: the token must be 'CancellationToken cancellationToken = default'";
                }

                if (!method.Name.EndsWith("Async", StringComparison.Ordinal))
                {
                    yield return $"{name}: an async method's name must end in Async";
                }
            }
        }
    }

    private static int AsyncMethodCount(IEnumerable<Type> interfaces) =>
        interfaces.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Count(m => IsAsyncShape(m.ReturnType));

    [Test]
    public void EveryAsyncInterfaceMethodTakesACancellationToken()
    {
        var interfaces = PublicInterfaces(Abstractions).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(Violations(interfaces), Is.Empty);

            // Guards against the check passing because reflection found nothing to check.
            Assert.That(AsyncMethodCount(interfaces), Is.GreaterThanOrEqualTo(50));
        });
    }

    [Test]
    public void TheCheckCatchesAMissingOrMisnamedToken()
    {
        var violations = Violations([typeof(IGoodSample), typeof(IBadSample)]).ToList();
        Assert.That(violations, Is.EquivalentTo(new[]
        {
            "IBadSample.NoTokenAsync: last parameter is not a CancellationToken",
            "IBadSample.StreamAsync: last parameter is not a CancellationToken",
            "IBadSample.RequiredTokenAsync: the token must be 'CancellationToken cancellationToken = default'",
            "IBadSample.NoSuffix: an async method's name must end in Async",
        }));
    }

    [TestCase("Containers.Images.IImageStore")]
    [TestCase("Containers.Registry.IRegistryClient")]
    [TestCase("Containers.Registry.IResolver")]
    [TestCase("Containers.Registry.IFetcher")]
    [TestCase("Containers.Registry.IPusher")]
    [TestCase("Containers.Snapshots.ISnapshotter")]
    [TestCase("Containers.Leases.ILeaseManager")]
    [TestCase("Containers.Metadata.IContainerStore")]
    [TestCase("Containers.Runtime.IContainerRuntime")]
    [TestCase("Containers.Tasks.ITaskService")]
    [TestCase("Containers.Events.IEventBus")]
    public void ServiceContractExists(string fullName)
    {
        var type = Abstractions.GetType(fullName);
        Assert.That(type, Is.Not.Null);
        Assert.That(type!.IsInterface && type.IsPublic, Is.True);
    }

    [Test]
    public void EveryPublicExceptionIsATypedContainersException()
    {
        var exceptions = Abstractions.GetExportedTypes().Where(t => typeof(Exception).IsAssignableFrom(t)).ToList();
        Assert.That(exceptions, Has.Count.GreaterThan(10));
        Assert.That(
            exceptions.Where(t => t != typeof(ContainersException) && (!t.IsSealed || !t.IsSubclassOf(typeof(ContainersException)))).Select(t => t.Name),
            Is.Empty);
    }

    public interface IGoodSample
    {
        ValueTask DoAsync(int x, CancellationToken cancellationToken = default);

        IAsyncEnumerable<int> ListAsync(CancellationToken cancellationToken = default);

        int NotAsync();
    }

    public interface IBadSample
    {
        Task NoTokenAsync(int x);

        IAsyncEnumerable<int> StreamAsync();

        ValueTask<int> RequiredTokenAsync(CancellationToken cancellationToken);

        Task NoSuffix(CancellationToken cancellationToken = default);
    }
}
