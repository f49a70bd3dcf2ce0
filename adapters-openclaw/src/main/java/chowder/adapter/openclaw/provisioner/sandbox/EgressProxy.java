package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ConnectHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only way out of a sandbox to anything but its model provider's loopback port: an HTTP proxy on the host's
 * loopback that tunnels ({@code CONNECT}) to the destinations the instance's {@link EgressPolicy} allows, resolving
 * names itself at connect time. Each sandbox proves which instance it is with its own random credentials
 * ({@code Proxy-Authorization: Basic}, from the proxy URL OpenClaw is given); unknown credentials get a 407, a
 * destination outside the policy a 403, and refusals are logged with the instance and destination (at most
 * {@value #LOGGED_REFUSALS_PER_MINUTE} a minute per instance). One instance holds at most
 * {@value #MAX_TUNNELS_PER_INSTANCE} tunnels at once (a 429 beyond), and the proxy at most {@value #MAX_CONNECTIONS}
 * connections, so that no tenant exhausts Chowder's descriptors. Plain-HTTP proxying is not offered: model providers and
 * channels are HTTPS, and OpenClaw tunnels those (and plain HTTP too).
 */
final class EgressProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EgressProxy.class);
    private static final String GRANT = EgressProxy.class.getName() + ".grant";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    // A model may think for minutes before its first byte; the gateway's own timeouts bound a turn.
    private static final Duration TUNNEL_IDLE_TIMEOUT = Duration.ofMinutes(15);
    private static final int SECRET_BYTES = 32;
    static final int MAX_TUNNELS_PER_INSTANCE = 256;
    static final int MAX_CONNECTIONS = 8192;
    static final int LOGGED_REFUSALS_PER_MINUTE = 20;
    private static final String SLOT = EgressProxy.class.getName() + ".slot";

    private final Server server;
    private final ServerConnector connector;
    private final SecureRandom random;
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();

    /** What one instance may do through the proxy, the secret that proves it is that instance, and what it holds now. */
    private record Grant(String instance, byte[] secret, EgressPolicy policy, AtomicInteger tunnels, RefusalLog refusals) {
        Grant(String instance, byte[] secret, EgressPolicy policy) {
            this(instance, secret, policy, new AtomicInteger(), new RefusalLog());
        }
    }

    /** One tunnel's place in its instance's count, given back exactly once, however the tunnel ends. */
    private static final class Slot {
        private final Grant grant;
        private final AtomicBoolean released = new AtomicBoolean();

        Slot(Grant grant) {
            this.grant = grant;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                grant.tunnels().decrementAndGet();
            }
        }
    }

    /** Refusals an instance's agent can cause at will: logged, but not so many that it floods Chowder's log. */
    private static final class RefusalLog {
        private long minute;
        private int logged;

        synchronized boolean admit(long nowMillis) {
            long current = nowMillis / 60_000;
            if (current != minute) {
                minute = current;
                logged = 0;
            }
            return ++logged <= LOGGED_REFUSALS_PER_MINUTE;
        }
    }

    /** More tunnels than an instance may hold at once. */
    private static final class TooManyTunnels extends Exception {
        private static final long serialVersionUID = 1L;

        TooManyTunnels() {
            super("this sandbox has " + MAX_TUNNELS_PER_INSTANCE + " tunnels open; close some first", null, false, false);
        }
    }

    EgressProxy(SecureRandom random) {
        this.random = requireNonNull(random, "random is null");
        QueuedThreadPool threads = new QueuedThreadPool(64, 2);
        threads.setName("egress-proxy");
        threads.setDaemon(true);
        server = new Server(threads);
        connector = new ServerConnector(server);
        connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
        connector.setPort(0);
        server.addConnector(connector);
        server.addBean(new ConnectionLimit(MAX_CONNECTIONS, connector));
        AllowlistConnectHandler tunnels = new AllowlistConnectHandler();
        tunnels.setConnectTimeout(CONNECT_TIMEOUT.toMillis());
        tunnels.setIdleTimeout(TUNNEL_IDLE_TIMEOUT.toMillis());
        tunnels.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Response.writeError(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405,
                        "Chowder's egress proxy only tunnels (CONNECT) to allowed destinations.");
                return true;
            }
        });
        server.setHandler(tunnels);
    }

    /** Starts listening on a free loopback port. */
    EgressProxy start() {
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the egress proxy: " + e.getMessage(), e);
        }
        log.info("Egress proxy for sandboxed gateways listening on 127.0.0.1:{}", port());
        return this;
    }

    int port() {
        return connector.getLocalPort();
    }

    /**
     * Lets {@code instance} through under {@code policy} with fresh credentials, replacing earlier ones; returns the
     * proxy URL with them, for the sandbox's environment (never a file or a command line).
     */
    String grant(String instance, EgressPolicy policy) {
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        grants.put(instance, new Grant(instance, password.getBytes(UTF_8), policy));
        return "http://" + instance + ":" + password + "@127.0.0.1:" + port();
    }

    void revoke(String instance) {
        grants.remove(instance);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("Egress proxy did not stop cleanly: {}", e.getMessage());
        }
    }

    private Grant authenticate(Request request) {
        String header = request.getHeaders().get(HttpHeader.PROXY_AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        Grant grant = grants.get(decoded.substring(0, colon));
        if (grant == null || !MessageDigest.isEqual(grant.secret(), decoded.substring(colon + 1).getBytes(UTF_8))) {
            return null;
        }
        return grant;
    }

    private final class AllowlistConnectHandler extends ConnectHandler {
        @Override
        protected boolean handleAuthentication(Request request, Response response, String address) {
            Grant grant = authenticate(request);
            if (grant == null) {
                log.debug("Egress proxy refused a tunnel to {}: unknown credentials", address);
                response.getHeaders().put(HttpHeader.PROXY_AUTHENTICATE, "Basic realm=\"chowder-egress\"");
                return false;
            }
            request.setAttribute(GRANT, grant);
            return true;
        }

        @Override
        protected void connectToServer(Request request, String host, int port, Promise<SocketChannel> promise) {
            Grant grant = (Grant) request.getAttribute(GRANT);
            if (grant.tunnels().incrementAndGet() > MAX_TUNNELS_PER_INSTANCE) {
                grant.tunnels().decrementAndGet();
                promise.failed(new TooManyTunnels());
                return;
            }
            request.setAttribute(SLOT, new Slot(grant));
            // Resolving a name blocks: never on Jetty's own threads.
            Thread.ofVirtual().name("egress-connect").start(() -> {
                SocketChannel channel = null;
                try {
                    InetSocketAddress address = grant.policy().resolve(host, port);
                    channel = SocketChannel.open();
                    channel.socket().setTcpNoDelay(true);
                    channel.configureBlocking(false);
                    channel.connect(address);
                    log.debug("Egress of instance {} to {}:{} ({})", grant.instance(), host, port, address.getAddress().getHostAddress());
                    promise.succeeded(channel);
                } catch (EgressPolicy.Denied denied) {
                    if (grant.refusals().admit(System.currentTimeMillis())) {
                        log.info("Egress of instance {} refused: {}", grant.instance(), denied.getMessage());
                    }
                    promise.failed(denied);
                } catch (Exception e) {
                    closeQuietly(channel);
                    promise.failed(e);
                }
            });
        }

        @Override
        protected void onConnectFailure(Request request, Response response, Callback callback, Throwable failure) {
            if (request.getAttribute(SLOT) instanceof Slot slot) {
                slot.release();
            }
            int status = failure instanceof EgressPolicy.Denied ? HttpStatus.FORBIDDEN_403
                    : failure instanceof TooManyTunnels ? HttpStatus.TOO_MANY_REQUESTS_429 : HttpStatus.BAD_GATEWAY_502;
            Grant grant = (Grant) request.getAttribute(GRANT);
            if (status == HttpStatus.BAD_GATEWAY_502 && grant != null && grant.refusals().admit(System.currentTimeMillis())) {
                log.info("Egress of instance {} to {} failed: {}", grant.instance(), request.getHttpURI().getAuthority(), failure.toString());
            }
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
            Response.writeError(request, response, callback, status, status == HttpStatus.BAD_GATEWAY_502 ? null : failure.getMessage());
        }

        /** The upstream side of a tunnel gives its slot back when the tunnel ends, whichever side ends it. */
        @Override
        protected UpstreamConnection newUpstreamConnection(EndPoint endPoint, ConnectContext connectContext) {
            Object slot = connectContext.getRequest().getAttribute(SLOT);
            return new UpstreamConnection(endPoint, getExecutor(), getByteBufferPool(), connectContext) {
                @Override
                public void onClose(Throwable cause) {
                    super.onClose(cause);
                    if (slot instanceof Slot held) {
                        held.release();
                    }
                }
            };
        }

        private static void closeQuietly(SocketChannel channel) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (java.io.IOException ignored) {
                    // already failing
                }
            }
        }
    }
}
