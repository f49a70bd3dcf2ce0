package chowder.adapter.http.model;

import chowder.domain.ModelApi;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/** The headers a provider gets with a model call: a few of the gateway's, the betas the operator allows, and the call's key. */
final class ProviderRequestHeaders {
    /** What a provider's API needs of the gateway's request; everything else stays behind. */
    private static final Set<String> FORWARDED_REQUEST_HEADERS = Set.of("content-type", "accept", "anthropic-version");

    private final Set<String> anthropicBetas;

    ProviderRequestHeaders(Set<String> anthropicBetas) {
        this.anthropicBetas = anthropicBetas;
    }

    void copy(Request gatewayRequest, org.eclipse.jetty.client.Request providerRequest, ModelCall call) {
        providerRequest.headers(headers -> {
            headers.remove(HttpHeader.ACCEPT_ENCODING);
            for (HttpField field : gatewayRequest.getHeaders()) {
                if (FORWARDED_REQUEST_HEADERS.contains(field.getLowerCaseName()) && field.getHeader() != HttpHeader.CONTENT_TYPE) {
                    headers.add(field);
                }
            }
            String betas = allowedBetas(gatewayRequest.getHeaders().getValuesList("anthropic-beta"));
            if (!betas.isEmpty()) {
                headers.put("anthropic-beta", betas);
            }
            call.grant.key().ifPresent(key -> {
                if (call.grant.api() == ModelApi.ANTHROPIC_MESSAGES) {
                    headers.put("x-api-key", key.value());
                } else {
                    headers.put(HttpHeader.AUTHORIZATION, "Bearer " + key.value());
                }
            });
        });
    }

    /**
     * The betas of the operator's list among those asked for ({@code anthropic-beta} is a comma-separated list): a beta
     * can switch on what costs more than its tokens say (the 1M context window at a premium, fast mode, code
     * execution); one not listed is dropped and the call goes on without it.
     */
    private String allowedBetas(List<String> values) {
        return values.stream().flatMap(value -> Arrays.stream(value.split(","))).map(String::strip)
                .filter(anthropicBetas::contains).distinct().collect(Collectors.joining(","));
    }
}
