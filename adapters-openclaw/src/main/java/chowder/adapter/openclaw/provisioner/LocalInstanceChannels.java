package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.adapter.openclaw.GatewayRpc;
import chowder.adapter.openclaw.provisioner.sandbox.EgressRule;
import chowder.adapter.openclaw.provisioner.sandbox.Sandbox;
import chowder.application.port.PairingRequest;
import chowder.application.port.out.InstanceChannelsPort;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Channels of the gateways this Chowder provisions: their settings go into the gateway's config
 * ({@link LocalGatewayProvisioner#configureChannels}), a plugin OpenClaw does not bundle is installed by OpenClaw at a
 * launch of the gateway, in its sandbox ({@link ChannelPlugins}), and the running gateway reports status and pending
 * pairings over its WebSocket. A pairing is approved by code with OpenClaw's own command, run beside the gateway in its
 * sandbox (the code lives in the gateway's state, and no gateway method takes a code).
 */
final class LocalInstanceChannels implements InstanceChannelsPort {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration APPROVE_TIMEOUT = Duration.ofMinutes(2);
    private static final String NPM_REGISTRY = "registry.npmjs.org:443";
    private static final int MAX_DETAIL = 500;
    /** A failed command's output in the operator's log: enough to see why, bounded. */
    private static final int MAX_LOGGED = 4096;
    /** What {@code openclaw pairing approve} says of a code no pending request has (it then exits 1). */
    private static final String NO_SUCH_CODE = "No pending pairing request found";
    /** What it says of a code it approved: {@code Approved telegram sender 5151.} */
    private static final Pattern APPROVED = Pattern.compile("Approved ([a-z]+) sender [^\n]*");
    private static final Logger log = LoggerFactory.getLogger(LocalInstanceChannels.class);

    private final GatewayRpc rpc;
    private final Supplier<LocalGatewayProvisioner> provisioner;
    private final ProvisionerConfig config;
    private final ChannelsConfig channels;

    LocalInstanceChannels(GatewayRpc rpc, Supplier<LocalGatewayProvisioner> provisioner, ProvisionerConfig config, ChannelsConfig channels) {
        this.rpc = requireNonNull(rpc, "rpc is null");
        this.provisioner = requireNonNull(provisioner, "provisioner is null");
        this.config = requireNonNull(config, "config is null");
        this.channels = requireNonNull(channels, "channels is null");
    }

    @Override
    public void requireReachable(Channel channel, Map<String, String> fields) {
        if (config.sandbox().mode() == chowder.adapter.openclaw.provisioner.sandbox.SandboxConfig.Mode.OFF) {
            return;
        }
        List<String> needed = new ArrayList<>(switch (channel) {
            case TELEGRAM -> List.of(destination(channels.telegramApiRoot()));
            case MATRIX -> List.of(destination(url(fields.get("homeserver"), "homeserver")));
            case MATTERMOST -> List.of(destination(url(fields.get("base_url"), "base_url")));
            default -> channel.egress();
        });
        channel.npmPackage().ifPresent(unused -> needed.add(NPM_REGISTRY));
        List<String> missing;
        try {
            missing = needed.stream().filter(destination -> !EgressRule.allows(config.sandbox().egressAllowed(), destination)).toList();
        } catch (IllegalArgumentException unusableHost) {
            // Only a tenant's URL (Matrix, Mattermost) can name a host the allowlist cannot compare: 127.0.0.2, "matrix.org.".
            throw ChowderException.validationFailed("config." + (channel == Channel.MATRIX ? "homeserver" : "base_url")
                    + " must name its server by a host name or a public address.");
        }
        if (!missing.isEmpty()) {
            throw new ChowderException(ErrorCode.INSTANCE_STATE_CONFLICT, channel.id() + " needs " + String.join(", ", missing)
                    + " reachable from the instance's sandbox" + (channel.npmPackage().isPresent() ? " (its plugin comes from npm)" : "")
                    + ": the operator adds " + (missing.size() == 1 ? "it" : "them") + " to CHOWDER_SANDBOX_EGRESS_ALLOW.");
        }
    }

    @Override
    public void installPlugin(Instance instance, Channel channel) {
        String spec = channels.pluginSpec(channel);
        Optional<String> failure;
        try {
            failure = provisioner.get().installPlugin(instance.id(), channel);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChowderException(ErrorCode.REQUEST_CANCELLED, "The request was cancelled.");
        } catch (IllegalStateException e) {
            throw new ChowderException(ErrorCode.INSTANCE_STATE_CONFLICT, "The instance's gateway must be running to install the "
                    + channel.id() + " plugin.");
        }
        failure.ifPresent(reason -> {
            throw new ChowderException(ErrorCode.PLUGIN_REGISTRY_FAILED, "Installing the " + channel.id() + " plugin (" + spec
                    + ") from the npm registry failed: " + shorten(reason) + " OpenClaw installs it from inside the instance's sandbox, so "
                    + NPM_REGISTRY + " must be in the egress allowlist (CHOWDER_SANDBOX_EGRESS_ALLOW), and the version must exist "
                    + "(CHOWDER_CHANNEL_PLUGIN_VERSIONS).");
        });
    }

    @Override
    public void configure(Instance instance, Map<Channel, ChannelSettings> settings) {
        provisioner.get().configureChannels(instance.id(), settings);
    }

    @Override
    public ChannelState status(Instance instance, Channel channel) {
        JsonNode report = rpc.read(instance, "channels.status", JSON.createObjectNode().put("channel", channel.id()), STATUS_TIMEOUT);
        JsonNode account = report.path("channelAccounts").path(channel.id()).path(0);
        Map<String, Object> details = new LinkedHashMap<>();
        for (String field : List.of("lastError", "lastConnectedAt", "lastInboundAt", "lastOutboundAt", "lifecycle", "mode")) {
            JsonNode value = account.has(field) ? account.get(field) : report.path("channels").path(channel.id()).path(field);
            if (value.isTextual()) {
                details.put(field, shorten(provisioner.get().redacted(instance.id(), value.asText())));
            } else if (value.isNumber()) {
                details.put(field, value.numberValue());
            }
        }
        return new ChannelState(account.path("configured").asBoolean(false), account.path("running").asBoolean(false),
                account.path("connected").asBoolean(false), details);
    }

    @Override
    public List<PairingRequest> pairingRequests(Instance instance, Channel channel) {
        JsonNode report = rpc.read(instance, "channels.pairing.list", JSON.createObjectNode().put("channel", channel.id()), STATUS_TIMEOUT);
        List<PairingRequest> requests = new ArrayList<>();
        for (JsonNode request : report.path("requests")) {
            if (!channel.id().equals(request.path("channel").asText(channel.id()))) {
                continue;
            }
            requests.add(new PairingRequest(shorten(request.path("senderId").asText("")), shorten(request.path("senderLabel").asText("")),
                    instant(request.path("createdAt")), instant(request.path("expiresAt"))));
        }
        return requests;
    }

    @Override
    public PairingOutcome approve(Instance instance, Channel channel, String code) {
        try {
            Sandbox.Outcome outcome = provisioner.get().runBeside(instance, List.of("pairing", "approve", channel.id(), code), APPROVE_TIMEOUT);
            if (outcome.exitCode() == -1) {
                throw new ChowderException(ErrorCode.GATEWAY_TIMEOUT, "Approving the pairing did not finish within " + APPROVE_TIMEOUT.toSeconds() + " s.");
            }
            String said = lastLines(outcome.output(), MAX_DETAIL);
            // OpenClaw approves, then tries to make the first approved sender the owner of its commands by writing the
            // config, which is read-only in the sandbox: it fails then (exit 1), and a stranger is never made owner.
            Matcher approved = APPROVED.matcher(lastLines(outcome.output(), MAX_LOGGED));
            if (approved.find() && approved.group(1).equals(channel.id())) {
                return new PairingOutcome(true, approved.group());
            }
            if (said.contains(NO_SUCH_CODE)) {
                return new PairingOutcome(false, said);
            }
            // Not "no such code": OpenClaw's command itself failed, which the operator has to see.
            log.warn("Approving a {} pairing on instance {} failed (exit {}): {}", channel.id(), instance.id(), outcome.exitCode(),
                    ChannelPlugins.oneLine(lastLines(outcome.output(), MAX_LOGGED)));
            throw new ChowderException(ErrorCode.GATEWAY_FAILED, "Approving the pairing failed: OpenClaw's pairing command ended with exit code "
                    + outcome.exitCode() + ".");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the pairing command of instance " + instance.id(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChowderException(ErrorCode.REQUEST_CANCELLED, "The request was cancelled.");
        } catch (IllegalStateException e) {
            throw new ChowderException(ErrorCode.INSTANCE_STATE_CONFLICT, "The instance's gateway must be running to approve a pairing.");
        }
    }

    @Override
    public ChannelLogin startLogin(Instance instance, Channel channel) {
        JsonNode answer = rpc.call(instance, "web.login.start", JSON.createObjectNode().put("channel", channel.id()), INSTALL_TIMEOUT);
        String dataUrl = answer.path("qrDataUrl").asText("");
        int base64 = dataUrl.indexOf("base64,");
        Optional<String> image = base64 >= 0 ? Optional.of(dataUrl.substring(base64 + "base64,".length())) : Optional.empty();
        return new ChannelLogin(answer.path("connected").asBoolean(false), image,
                shorten(answer.path("message").asText(image.isPresent() ? "Scan the code with the phone to link." : "Linked.")));
    }

    /** {@code host:port} of a URL, as the egress allowlist names destinations. */
    private static String destination(URI url) {
        int port = url.getPort() > 0 ? url.getPort() : "http".equals(url.getScheme()) ? 80 : 443;
        String host = url.getHost().startsWith("[") ? url.getHost() : url.getHost().toLowerCase(java.util.Locale.ROOT);
        return host + ":" + port;
    }

    private static URI url(String value, String field) {
        try {
            URI url = URI.create(value);
            if (("https".equals(url.getScheme()) || "http".equals(url.getScheme())) && url.getHost() != null) {
                return url;
            }
        } catch (IllegalArgumentException e) {
            // named below
        }
        throw ChowderException.validationFailed("config." + field + " must be an http(s) URL.");
    }

    private static Instant instant(JsonNode value) {
        if (value.isNumber()) {
            return Instant.ofEpochMilli(value.asLong());
        }
        try {
            return Instant.parse(value.asText());
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    /** The command's last lines, without control characters: what it said, bounded. */
    private static String lastLines(String output, int limit) {
        String cleaned = output.replaceAll("\u001B\\[[0-9;]*[A-Za-z]", "").replaceAll("[\\p{Cntrl}&&[^\n]]", "").strip();
        return cleaned.length() <= limit ? cleaned : cleaned.substring(cleaned.length() - limit);
    }

    private static String shorten(String text) {
        return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL) + "…";
    }
}
