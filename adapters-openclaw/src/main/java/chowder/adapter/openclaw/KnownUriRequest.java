package chowder.adapter.openclaw;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpConversation;
import org.eclipse.jetty.client.transport.HttpRequest;

/**
 * A gateway request that answers its URI with the one it was made from. Jetty rebuilds a request's URI from its parts
 * on first use (a string joined and parsed twice), and its connection asks for it on every send, for a proxy and for
 * the {@code Host} header: 4 % of the relay's CPU for a URI Chowder built once per instance. Only a URI Jetty would
 * rebuild to the same text is answered as it is (lower-case host, no user info, no fragment, no default port written
 * out, which Jetty drops); any other, or once the path or query changed, Jetty's own is.
 */
final class KnownUriRequest extends HttpRequest {
    private final URI uri;

    KnownUriRequest(HttpClient client, URI uri) {
        // What HttpClient.newRequest(URI) makes, less the rebuilt URI.
        super(client, new HttpConversation(), uri);
        this.uri = asJettyWritesIt(uri) ? uri : null;
    }

    @Override
    public URI getURI() {
        return uri != null && Objects.equals(getPath(), uri.getRawPath()) && Objects.equals(getQuery(), uri.getRawQuery())
                ? uri : super.getURI();
    }

    private static boolean asJettyWritesIt(URI uri) {
        boolean defaultPort = uri.getPort() == 80 && "http".equals(uri.getScheme()) || uri.getPort() == 443 && "https".equals(uri.getScheme());
        return uri.isAbsolute() && uri.getHost() != null && uri.getHost().equals(uri.getHost().toLowerCase(Locale.ROOT))
                && uri.getRawUserInfo() == null && uri.getRawFragment() == null && !defaultPort;
    }
}
