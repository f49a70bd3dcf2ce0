package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The base URL of an OpenClaw gateway, from the instance record only: http or https, with a host,
 * without credentials, query or fragment. A path is kept, for gateways behind a path-routing proxy.
 */
public final class GatewayUrl {
    public static final int MAX_LENGTH = 2048;

    private final URI value;
    // Built once per instance record rather than on every forwarded request.
    private final URI responsesEndpoint;

    public GatewayUrl(URI value) {
        this.value = requireNonNull(value, "value is null");
        this.responsesEndpoint = URI.create(value + "/v1/responses");
    }

    public URI value() {
        return value;
    }

    public static GatewayUrl of(String raw) {
        if (raw == null || raw.isBlank()) {
            throw ChowderException.validationFailed("gateway_url is required.");
        }
        if (raw.length() > MAX_LENGTH) {
            throw ChowderException.validationFailed("gateway_url is longer than " + MAX_LENGTH + " characters.");
        }
        URI uri;
        try {
            uri = new URI(raw.strip());
        } catch (URISyntaxException e) {
            throw ChowderException.validationFailed("gateway_url is not a valid URL.");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw ChowderException.validationFailed("gateway_url must be an http or https URL with a host.");
        }
        if (uri.getRawUserInfo() != null) {
            throw ChowderException.validationFailed("gateway_url must not contain credentials; send the token as gateway_token.");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw ChowderException.validationFailed("gateway_url must not have a query or a fragment.");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        return new GatewayUrl(URI.create(scheme + "://" + uri.getRawAuthority() + path));
    }

    /** The gateway's OpenResponses endpoint. */
    public URI responsesEndpoint() {
        return responsesEndpoint;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GatewayUrl url && value.equals(url.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
