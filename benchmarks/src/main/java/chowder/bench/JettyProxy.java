package chowder.bench;

import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A reference target: Jetty's own reverse proxy ({@link ProxyHandler.Reverse}, Jetty core, its HTTP client) in front of
 * the upstream, as Jetty ships it: the server on Jetty's default thread pool, the client on the proxy's own default
 * pool. Chowder's relay is built from the same server and client, on other threads (virtual ones), so this proxy is a
 * reference point rather than a strict floor: a target it misses in the same run is beyond what that stack reaches as
 * shipped, and most of what Chowder costs beyond it is Chowder's own work (the key, the body's checks, the session key,
 * usage, metrics, the access log). The one change: no {@code Via} and {@code Forwarded} headers, which Chowder does not
 * send either.
 *
 * <p>{@code java -cp chowder-bench.jar chowder.bench.JettyProxy PORT UPSTREAM_PORT}; prints {@code PORT n} once it listens.
 */
public final class JettyProxy {
    private JettyProxy() {}

    public static void main(String[] args) throws Exception {
        int upstream = Integer.parseInt(args[1]);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.parseInt(args[0]));
        server.addConnector(connector);
        server.setHandler(new ProxyHandler.Reverse(request -> HttpURI.build(request.getHttpURI()).scheme("http").host("127.0.0.1").port(upstream)) {
            @Override
            protected void addProxyHeaders(org.eclipse.jetty.server.Request clientToProxyRequest, Request proxyToServerRequest) {
                // Chowder adds no Via or Forwarded headers: the reference does the same work.
            }
        });
        server.start();
        System.out.println("PORT " + connector.getLocalPort());
        server.join();
    }
}
