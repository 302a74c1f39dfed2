using Containers.Registry.Auth;

namespace Containers.Images.Tests.Registry.Auth;

public sealed class AuthChallengeTests
{
    [Test]
    public void Parses_a_bearer_challenge_with_quoted_params()
    {
        AuthChallenge challenge = AuthChallenge.Parse(["Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:samalba/my-app:pull,push\""]).Single();

        Assert.That(challenge.IsBearer, Is.True);
        Assert.That(challenge.Realm, Is.EqualTo("https://auth.docker.io/token"));
        Assert.That(challenge.Service, Is.EqualTo("registry.docker.io"));
        Assert.That(challenge.Scope, Is.EqualTo("repository:samalba/my-app:pull,push"));
    }

    [Test]
    public void Parses_several_challenges_and_unquoted_and_escaped_values()
    {
        IReadOnlyList<AuthChallenge> challenges = AuthChallenge.Parse(["Basic realm=\"a \\\"quoted\\\" realm\", Bearer realm=https://h/t,service=svc"]);

        Assert.That(challenges.Select(c => c.Scheme), Is.EqualTo(new[] { "Basic", "Bearer" }));
        Assert.That(challenges[0].Realm, Is.EqualTo("a \"quoted\" realm"));
        Assert.That(challenges[1].Realm, Is.EqualTo("https://h/t"));
        Assert.That(challenges[1].Service, Is.EqualTo("svc"));
    }

    [Test]
    public void Param_names_are_case_insensitive_and_scheme_is_kept()
    {
        AuthChallenge challenge = AuthChallenge.Parse(["bearer REALM=\"r\""]).Single();

        Assert.That(challenge.IsBearer, Is.True);
        Assert.That(challenge.Realm, Is.EqualTo("r"));
    }

    [TestCase("")]
    [TestCase("   ,  ")]
    public void Empty_headers_give_no_challenge(string header)
    {
        Assert.That(AuthChallenge.Parse([header]), Is.Empty);
    }
}
