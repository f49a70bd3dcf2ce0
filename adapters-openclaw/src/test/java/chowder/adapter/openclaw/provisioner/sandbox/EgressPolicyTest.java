package chowder.adapter.openclaw.provisioner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.adapter.openclaw.Ipv4MappedNames;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {
    @Test
    void parsesHostNamesWildcardsAddressesNetworksAndLoopbackPorts() {
        assertThat(EgressRule.parseList(" api.openai.com:443, *.anthropic.com:443,10.0.0.5:8000 ,10.1.0.0/16:5432,[fd00::/8]:443,"))
                .extracting(EgressRule::toString)
                .containsExactly("api.openai.com:443", "*.anthropic.com:443", "10.0.0.5:8000", "10.1.0.0/16:5432", "[fd00::/8]:443");
        assertThat(EgressRule.parse("127.0.0.1:11434").loopback()).isTrue();
        assertThat(EgressRule.parse("localhost:11434").loopback()).isTrue();
        assertThat(EgressRule.parse("[::1]:11434").loopback()).isTrue();
        // pasta forwards ports, not addresses: a rule must not promise one loopback address only.
        assertThatThrownBy(() -> EgressRule.parse("127.0.0.0/8:11434")).hasMessageContaining("127.0.0.1, [::1] or localhost");
        assertThatThrownBy(() -> EgressRule.parse("127.0.0.2:11434")).hasMessageContaining("127.0.0.1, [::1] or localhost");
        assertThat(EgressRule.parse("0.0.0.0/0:443").loopback()).isFalse();
        assertThat(EgressRule.parse("api.openai.com:443").loopback()).isFalse();
        assertThat(EgressRule.forUrl("https://api.openai.com/v1").toString()).isEqualTo("api.openai.com:443");
        assertThat(EgressRule.forUrl("http://127.0.0.1:11434/v1").loopback()).isTrue();
        assertThat(EgressRule.forUrl("http://[::1]:8000/v1").toString()).isEqualTo("[::1]:8000");
        assertThat(EgressRule.forUrl("http://models.internal/v1").toString()).isEqualTo("models.internal:80");
        assertThat(EgressRule.parseList("")).isEmpty();
    }

    @Test
    void aDestinationAChannelNeedsIsAllowedByTheRuleThatNamesItOrCoversIt() {
        List<EgressRule> rules = EgressRule.parseList("api.telegram.org:443,*.slack.com:443,10.1.0.0/16:8065,localhost:40105,[fd00::/8]:443");

        assertThat(EgressRule.allows(rules, "api.telegram.org:443")).isTrue();
        assertThat(EgressRule.allows(rules, "api.telegram.org:80")).isFalse();
        assertThat(EgressRule.allows(rules, "files.slack.com:443")).isTrue();
        assertThat(EgressRule.allows(rules, "*.slack.com:443")).isTrue();
        assertThat(EgressRule.allows(rules, "*.example.com:443")).isFalse();
        assertThat(EgressRule.allows(rules, "10.1.2.3:8065")).isTrue();
        assertThat(EgressRule.allows(rules, "10.2.0.1:8065")).isFalse();
        assertThat(EgressRule.allows(rules, "10.1.0.0/16:8065")).as("the same network, written again").isTrue();
        assertThat(EgressRule.allows(rules, "10.0.0.0/8:8065")).as("a wider network than allowed").isFalse();
        assertThat(EgressRule.allows(rules, "[fd00::5]:443")).isTrue();
        // A port of this host is one destination, whichever loopback name the rule and the channel use.
        assertThat(EgressRule.allows(rules, "127.0.0.1:40105")).isTrue();
        assertThat(EgressRule.allows(rules, "[::1]:40105")).isTrue();
        assertThat(EgressRule.allows(rules, "127.0.0.1:40106")).isFalse();
        assertThat(EgressRule.allows(List.of(), "api.telegram.org:443")).isFalse();
    }

    @Test
    void rejectsWhatIsNotHostAndPort() {
        for (String bad : List.of("api.openai.com", "api.openai.com:", ":443", "api.openai.com:http", "host:0", "host:70000",
                "bad_host:443", "10.0.0.0/33:443", "a b:1", "http://x:80")) {
            assertThatThrownBy(() -> EgressRule.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void addressesNeedARuleThatNamesTheirNetworkAndLoopbackIsNeverReachedThroughTheProxy() throws Exception {
        EgressPolicy policy = new EgressPolicy(List.of(EgressRule.parse("10.0.0.5:8000"), EgressRule.parse("192.0.2.0/24:443"),
                EgressRule.parse("localhost:5432"), EgressRule.parse("127.0.0.1:6379")));

        assertThat(policy.resolve("10.0.0.5", 8000)).isEqualTo(new InetSocketAddress("10.0.0.5", 8000));
        assertThat(policy.resolve("192.0.2.77", 443).getPort()).isEqualTo(443);
        for (String[] denied : new String[][] {{"10.0.0.5", "8001"}, {"10.0.0.6", "8000"}, {"169.254.169.254", "80"},
                {"100.100.100.200", "80"}, {"192.0.0.192", "80"}, {"[fd00:ec2::254]", "80"}, {"127.0.0.1", "6379"},
                {"localhost", "5432"}, {"0.0.0.0", "5432"}, {"[::1]", "6379"}, {"[::ffff:127.0.0.1]", "6379"}, {"8.8.8.8", "53"}}) {
            assertThatThrownBy(() -> policy.resolve(denied[0], Integer.parseInt(denied[1]))).as(String.join(":", denied))
                    .isInstanceOf(EgressPolicy.Denied.class).hasMessageContaining("not an allowed destination");
        }
    }

    @Test
    void aNameResolvingToAnIpv4MappedAddressIsCheckedAsAndConnectedToThatIpv4Address() throws Exception {
        // A tenant's own name (allowed for its chat server, say) whose AAAA record is ::ffff:<a host or private address>.
        for (String target : List.of("127.0.0.1", "10.0.0.5", "169.254.169.254", "100.100.100.200", chowder.testing.HostNetwork.address().getHostAddress())) {
            String name = Ipv4MappedNames.nameFor(target);
            EgressPolicy policy = new EgressPolicy(List.of(EgressRule.parse(name + ":443")));
            assertThatThrownBy(() -> policy.resolve(name, 443)).as(name).isInstanceOf(EgressPolicy.Denied.class)
                    .hasMessageContaining("not an allowed destination");
        }
        // A rule for the network is what lets such an address in, and the connection goes to the IPv4 address.
        String name = Ipv4MappedNames.nameFor("10.0.0.5");
        EgressPolicy network = new EgressPolicy(List.of(EgressRule.parse(name + ":8000"), EgressRule.parse("10.0.0.0/8:8000")));
        assertThat(network.resolve(name, 8000)).isEqualTo(new InetSocketAddress("10.0.0.5", 8000));
    }

    @Test
    void namesReachOnlyPublicAddressesWhateverTheyResolveTo() throws Exception {
        // localhost is a name that resolves to loopback: a name rule never makes a special address reachable.
        EgressPolicy policy = new EgressPolicy(List.of(EgressRule.parse("localhost:443"), EgressRule.parse("*.example.com:443"),
                EgressRule.parse("*.invalid:443")));
        assertThatThrownBy(() -> policy.resolve("localhost", 443)).isInstanceOf(EgressPolicy.Denied.class);
        assertThatThrownBy(() -> policy.resolve("no-such-host.invalid", 443)).isInstanceOf(EgressPolicy.Denied.class)
                .hasMessageContaining("does not resolve");
        // A name no rule names is refused before any lookup, in the words of every other refusal: no DNS channel out,
        // and nothing learnt about which names exist.
        assertThatThrownBy(() -> policy.resolve("data-to-leak.no-such-host.test", 443)).isInstanceOf(EgressPolicy.Denied.class)
                .hasMessage("data-to-leak.no-such-host.test:443 is not an allowed destination of this sandbox");
        // Nor does a name reach this host's own addresses: a rule for the host's network must say so.
        String own = chowder.testing.HostNetwork.address().getHostAddress();
        assertThat(new EgressPolicy(List.of(EgressRule.parse(own + ":443"))).resolve(own, 443).getAddress().getHostAddress()).isEqualTo(own);
        assertThat(EgressRule.parse("*.example.com:443").matchesName("api.example.com", 443)).isTrue();
        assertThat(EgressRule.parse("*.example.com:443").matchesName("example.com", 443)).isFalse();
        assertThat(EgressRule.parse("*.example.com:443").matchesName("evil-example.com", 443)).isFalse();
        assertThat(EgressRule.parse("*.example.com:443").matchesName("api.example.com", 80)).isFalse();
    }
}
