package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.HttpServerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hosted workspace-file endpoints through the real server, wiring and local workspace store. The local
 * provisioner is on with a runtime directory that holds no OpenClaw: the gateway never starts, but the
 * instance's workspace directory exists, which is all the file routes need.
 */
class FilesApiEndToEndTest {
    // Over the 64 KiB a form part may keep in memory: uploads at the limit are spooled to disk.
    private static final int MAX_FILE_BYTES = 128 * 1024;
    private static final String BOUNDARY = "chowder-test-boundary";

    @TempDir
    Path dataDir;
    @TempDir
    Path noOpenClaw;

    private final HttpClient client = HttpClient.newHttpClient();
    private RunningChowder chowder;
    private String key;
    private String files;
    private Path workspace;

    @BeforeEach
    void provisionAnInstance() throws Exception {
        chowder = new RunningChowder(dataDir, Map.of("CHOWDER_PROVISIONER", "local", "CHOWDER_OPENCLAW_HOME", noOpenClaw.toString(),
                "CHOWDER_MAX_FILE_BYTES", String.valueOf(MAX_FILE_BYTES), "CHOWDER_GATEWAY_RESTART_BACKOFF_MAX", "60s"));
        key = chowder.createOrganization("Acme").path("api_key").asText();
        HttpResponse<String> created = chowder.send("POST", "/v1/instances", key, "{\"name\":\"files\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).path("id").asText();
        files = "/v1/instances/" + id + "/files";
        workspace = dataDir.resolve("instances").resolve(id).resolve("workspace");
        assertThat(workspace).isDirectory();
    }

    @AfterEach
    void stop() {
        chowder.close();
    }

    @Test
    void writeReadListUploadDownloadMoveAndDeleteAsTheHostedApiDoes() throws Exception {
        HttpResponse<String> written = chowder.send("PUT", files + "/content", key,
                "{\"path\":\"notes/hello.md\",\"content\":\"Hello, wörld\"}");
        assertThat(written.statusCode()).as(written.body()).isEqualTo(204);
        assertThat(written.body()).isEmpty();
        assertThat(workspace.resolve("notes/hello.md")).hasContent("Hello, wörld");

        HttpResponse<String> read = chowder.send("GET", files + "/content?path=notes/hello.md", key, null);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(read.body())).isEqualTo(JSON.readTree("{\"path\":\"notes/hello.md\",\"content\":\"Hello, wörld\"}"));

        Files.setPosixFilePermissions(workspace.resolve("notes/hello.md"), PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(workspace.resolve("notes"), PosixFilePermissions.fromString("rwxr-x---"));
        JsonNode root = JSON.readTree(chowder.send("GET", files, key, null).body());
        assertThat(root.path("path").asText()).isEqualTo(".");
        assertThat(root.path("truncated").asBoolean()).isFalse();
        JsonNode notes = root.path("entries").get(0);
        assertThat(root.path("entries")).hasSize(1);
        assertThat(notes.path("name").asText()).isEqualTo("notes");
        assertThat(notes.path("path").asText()).isEqualTo("notes");
        assertThat(notes.path("is_dir").asBoolean()).isTrue();
        assertThat(notes.path("size").asLong()).isZero();
        assertThat(notes.path("permissions").asText()).isEqualTo("drwxr-x---");
        assertThat(notes.path("mod_time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(JSON.readTree(chowder.send("GET", files + "?path=.", key, null).body())).isEqualTo(root);

        JsonNode listing = JSON.readTree(chowder.send("GET", files + "?path=notes", key, null).body());
        assertThat(listing.path("path").asText()).isEqualTo("notes");
        JsonNode hello = listing.path("entries").get(0);
        assertThat(names(hello)).containsExactlyInAnyOrder("name", "path", "is_dir", "size", "mod_time", "permissions");
        assertThat(hello.path("path").asText()).isEqualTo("notes/hello.md");
        assertThat(hello.path("is_dir").asBoolean()).isFalse();
        assertThat(hello.path("size").asLong()).isEqualTo("Hello, wörld".getBytes(UTF_8).length);
        assertThat(hello.path("permissions").asText()).isEqualTo("-rw-r-----");

        byte[] logo = new byte[MAX_FILE_BYTES];
        Arrays.fill(logo, (byte) 0xff);
        HttpResponse<String> uploaded = upload(multipart("assets/logo.png", "logo.png", logo), true);
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(204);
        assertThat(Files.readAllBytes(workspace.resolve("assets/logo.png"))).isEqualTo(logo);

        HttpResponse<byte[]> downloaded = client.send(request(files + "/download?path=assets/logo.png").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(downloaded.statusCode()).isEqualTo(200);
        assertThat(downloaded.body()).isEqualTo(logo);
        assertThat(downloaded.headers().firstValue("Content-Type")).contains("image/png");
        assertThat(downloaded.headers().firstValue("Content-Disposition")).contains("attachment; filename=\"logo.png\"");
        HttpResponse<String> notText = chowder.send("GET", files + "/content?path=assets/logo.png", key, null);
        assertThat(notText.statusCode()).isEqualTo(422);
        assertThat(detail(notText)).contains("not UTF-8").contains("/files/download");

        HttpResponse<String> moved = chowder.send("POST", files + "/move", key, "{\"source\":\"assets/logo.png\",\"destination\":\"img/logo.png\"}");
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(204);
        assertThat(workspace.resolve("img/logo.png")).exists();
        assertThat(workspace.resolve("assets/logo.png")).doesNotExist();
        HttpResponse<String> onto = chowder.send("POST", files + "/move", key, "{\"source\":\"notes/hello.md\",\"destination\":\"img/logo.png\"}");
        assertThat(onto.statusCode()).isEqualTo(409);

        assertThat(chowder.send("DELETE", files + "?path=img/logo.png", key, null).statusCode()).isEqualTo(204);
        assertThat(workspace.resolve("img/logo.png")).doesNotExist();
        assertThat(chowder.send("GET", files + "/download?path=img/logo.png", key, null).statusCode()).isEqualTo(404);
    }

    @Test
    void fifosSocketsAndHardLinksInTheWorkspaceAreRefusedWithoutStallingAnyone() throws Exception {
        // What a tenant's agent can leave in its workspace: a FIFO (opening it for reading would block until a writer
        // comes), a socket, and a hard link to a file outside (here Chowder's own master key).
        assertThat(new ProcessBuilder("mkfifo", workspace.resolve("pipe").toString()).start().waitFor()).isZero();
        try (var socket = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            socket.bind(java.net.UnixDomainSocketAddress.of(workspace.resolve("agent.sock")));
        }
        Path masterKey = dataDir.resolve("master.key");
        Files.createLink(workspace.resolve("key-link"), masterKey);
        String key64 = Files.readString(masterKey, UTF_8).strip();

        // More reads of the FIFO than the machine has carrier threads: none may pin one.
        for (int attempt = 0; attempt < Runtime.getRuntime().availableProcessors() + 2; attempt++) {
            for (String route : new String[] {"/content", "/download"}) {
                HttpResponse<String> refused = chowder.send("GET", files + route + "?path=pipe", key, null);
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
                assertThat(refused.body()).contains("not a regular file");
            }
        }
        for (String path : new String[] {"agent.sock", "key-link"}) {
            HttpResponse<String> refused = chowder.send("GET", files + "/download?path=" + path, key, null);
            assertThat(refused.statusCode()).as(path + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.body()).doesNotContain(key64);
        }
        HttpResponse<String> listing = chowder.send("GET", files, key, null);
        assertThat(listing.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(listing.body()).path("entries").findValuesAsText("permissions")).anyMatch(mode -> mode.startsWith("p"));
        assertThat(chowder.send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void aNameThatIsNotPlainAsciiIsDownloadedUnderAnRfc8187Name() throws Exception {
        Files.writeString(workspace.resolve("résumé \"v2\".txt"), "cv", UTF_8);
        HttpResponse<String> downloaded = chowder.send("GET",
                files + "/download?path=" + URLEncoder.encode("résumé \"v2\".txt", UTF_8).replace("+", "%20"), key, null);
        assertThat(downloaded.statusCode()).isEqualTo(200);
        assertThat(downloaded.body()).isEqualTo("cv");
        assertThat(downloaded.headers().firstValue("Content-Disposition"))
                .contains("attachment; filename=\"r_sum_ _v2_.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22.txt");
    }

    @Test
    void uploadsThatAreNotAFormWithPathAndFileAreClear400s() throws Exception {
        HttpResponse<String> noFile = upload(field("path", "a.txt") + "--" + BOUNDARY + "--\r\n", true);
        assertThat(noFile.statusCode()).isEqualTo(400);
        assertThat(detail(noFile)).startsWith("file is required");

        HttpResponse<String> noPath = upload(multipart(null, "a.txt", "x".getBytes(UTF_8)), true);
        assertThat(noPath.statusCode()).isEqualTo(400);
        assertThat(detail(noPath)).startsWith("path is required");

        HttpResponse<String> json = chowder.send("POST", files + "/upload", key, "{\"path\":\"a.txt\",\"content\":\"x\"}");
        assertThat(json.statusCode()).isEqualTo(400);
        assertThat(detail(json)).contains("multipart/form-data");

        HttpResponse<String> broken = upload("--" + BOUNDARY + "\r\nthis is no part", true);
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(detail(broken)).contains("multipart");
        // Jetty drops the connection after a failed form: the answer says so, and the next request goes on a new one.
        assertThat(broken.headers().firstValue("Connection")).contains("close");

        HttpResponse<String> escaping = upload(multipart("../openclaw.json", "x", "x".getBytes(UTF_8)), true);
        assertThat(escaping.statusCode()).isEqualTo(400);
        assertThat(workspace).isEmptyDirectory();
    }

    @Test
    void filesOverTheLimitAre413WithoutAByteWritten() throws Exception {
        byte[] tooBig = new byte[MAX_FILE_BYTES + 1];
        for (boolean declaredLength : List.of(true, false)) {
            HttpResponse<String> refused = upload(multipart("big.bin", "big.bin", tooBig), declaredLength);
            assertThat(refused.statusCode()).as("Content-Length declared: " + declaredLength + " " + refused.body()).isEqualTo(413);
            assertThat(detail(refused)).isEqualTo("Files are limited to " + MAX_FILE_BYTES + " bytes.");
        }
        HttpResponse<String> farTooBig = upload(multipart("big.bin", "big.bin", new byte[4 * MAX_FILE_BYTES]), true);
        assertThat(farTooBig.statusCode()).isEqualTo(413);

        HttpResponse<String> text = chowder.send("PUT", files + "/content", key,
                JSON.createObjectNode().put("path", "big.md").put("content", "x".repeat(MAX_FILE_BYTES + 1)).toString());
        assertThat(text.statusCode()).isEqualTo(413);
        assertThat(workspace).isEmptyDirectory();
    }

    /**
     * A client that writes its whole upload before it reads (as Java's HttpClient may) gets the 413: the rest of the
     * refused form is read and dropped after the answer, where closing on it would reset the connection, answer and all.
     */
    @Test
    void anUploadOverTheLimitIsAnsweredToAClientThatSendsItAllBeforeReading() throws Exception {
        byte[] form = multipart("big.bin", "big.bin", new byte[8 * MAX_FILE_BYTES]);
        for (boolean declaredLength : List.of(true, false)) {
            try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), chowder.port())) {
                socket.setSoTimeout(30_000);
                java.io.OutputStream out = socket.getOutputStream();
                out.write(("POST " + files + "/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                        + "\r\nContent-Type: multipart/form-data; boundary=" + BOUNDARY + "\r\n"
                        + (declaredLength ? "Content-Length: " + form.length + "\r\n\r\n" : "Transfer-Encoding: chunked\r\n\r\n"))
                        .getBytes(UTF_8));
                java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();
                if (declaredLength) {
                    sent.writeBytes(form);
                } else {
                    for (int from = 0; from < form.length; from += 16 * 1024) {
                        int length = Math.min(16 * 1024, form.length - from);
                        sent.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(UTF_8));
                        sent.write(form, from, length);
                        sent.writeBytes("\r\n".getBytes(UTF_8));
                    }
                    sent.writeBytes("0\r\n\r\n".getBytes(UTF_8));
                }
                byte[] body = sent.toByteArray();
                // Past the limit first; then, while the answer is given, the client goes on writing without reading.
                int first = MAX_FILE_BYTES + 32 * 1024;
                out.write(body, 0, first);
                out.flush();
                Thread.sleep(300);
                out.write(body, first, body.length - first);
                out.flush();
                String answer = new String(socket.getInputStream().readAllBytes(), UTF_8);

                assertThat(answer).as("Content-Length declared: " + declaredLength).startsWith("HTTP/1.1 413 ")
                        .endsWith("{\"detail\":\"Files are limited to " + MAX_FILE_BYTES + " bytes.\"}");
                assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("\r\nconnection: close\r\n");
            }
        }
        assertThat(workspace).isEmptyDirectory();
    }

    @Test
    void aDirectoryMovedIntoItselfThroughALinkIsA400ThatSaysSo() throws Exception {
        assertThat(chowder.send("PUT", files + "/content", key, "{\"path\":\"dir/file.txt\",\"content\":\"x\"}").statusCode()).isEqualTo(204);
        // The agent made a link to the directory: the paths do not show that the destination is inside the source.
        Files.createSymbolicLink(workspace.resolve("link"), Path.of("dir"));

        HttpResponse<String> refused = chowder.send("POST", files + "/move", key, "{\"source\":\"dir\",\"destination\":\"link/inner\"}");

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(names(JSON.readTree(refused.body()))).containsExactly("detail");
        assertThat(detail(refused)).isEqualTo("A directory cannot be moved into itself.");
        assertThat(workspace.resolve("dir/file.txt")).hasContent("x");
        assertThat(Files.isSymbolicLink(workspace.resolve("link"))).isTrue();
    }

    @Test
    void badJsonBodiesAndPathsNameTheField() throws Exception {
        HttpResponse<String> noContent = chowder.send("PUT", files + "/content", key, "{\"path\":\"a.md\"}");
        assertThat(noContent.statusCode()).isEqualTo(422);
        assertThat(detail(noContent)).startsWith("content is required");
        HttpResponse<String> noDestination = chowder.send("POST", files + "/move", key, "{\"source\":\"a.md\"}");
        assertThat(noDestination.statusCode()).isEqualTo(422);
        assertThat(detail(noDestination)).startsWith("destination is required");
        HttpResponse<String> oldShape = chowder.send("POST", files + "/move", key, "{\"from\":\"a.md\",\"to\":\"b.md\"}");
        assertThat(oldShape.statusCode()).isEqualTo(422);

        for (String path : List.of("..%2Fopenclaw.json", "%2Fetc%2Fpasswd", "notes%2F..%2F..%2Fx", "")) {
            HttpResponse<String> refused = chowder.send("GET", files + "/content?path=" + path, key, null);
            assertThat(refused.statusCode()).as(path).isEqualTo(400);
            assertThat(detail(refused)).startsWith("path ");
        }
        assertThat(chowder.send("GET", files + "/content?path=missing.md", key, null).statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> upload(String body, boolean declaredLength) throws Exception {
        return upload(body.getBytes(UTF_8), declaredLength);
    }

    /** With a declared length, or chunked (the length unknown until the end). */
    private HttpResponse<String> upload(byte[] body, boolean declaredLength) throws Exception {
        HttpRequest.BodyPublisher publisher = declaredLength ? HttpRequest.BodyPublishers.ofByteArray(body)
                : HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
        return client.send(request(files + "/upload").header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(publisher).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + chowder.port() + path)).header("Authorization", "Bearer " + key);
    }

    /** A form as curl -F path=... -F file=@... sends it; a null path leaves that field out. */
    private static byte[] multipart(String path, String filename, byte[] content) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (path != null) {
            body.writeBytes(field("path", path).getBytes(UTF_8));
        }
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(UTF_8));
        return body.toByteArray();
    }

    private static String field(String name, String value) {
        return "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    }

    private static List<String> names(JsonNode object) {
        return object.properties().stream().map(Map.Entry::getKey).toList();
    }

    private static String detail(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("detail").asText();
    }

    /** A write of {@code body} whose request sends its first 10 bytes, then nothing more: it holds a transfer's place. */
    private java.net.Socket stalledWrite(String body) throws java.io.IOException {
        java.net.Socket socket = new java.net.Socket("127.0.0.1", chowder.port());
        socket.setSoTimeout(60_000);
        socket.getOutputStream().write(("PUT " + files + "/content HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body.substring(0, 10))
                .getBytes(UTF_8));
        return socket;
    }

    /**
     * A transfer holds its file in memory until it is done, and the heap is every tenant's: an organization has at most
     * CHOWDER_MAX_FILE_TRANSFERS_PER_ORGANIZATION (4) under way, and one more is a 429 at once, while another
     * organization's go on. Four writes whose bodies stall halfway hold the four; finishing one frees its place.
     */
    @Test
    void anOrganizationHasAtMostItsFileTransfersUnderWayAndTheOthersAreNotHeldUp() throws Exception {
        Files.writeString(workspace.resolve("read-me.md"), "hello", UTF_8);
        String beta = chowder.createOrganization("Beta").path("api_key").asText();
        HttpResponse<String> betaInstance = chowder.send("POST", "/v1/instances", beta, "{\"name\":\"beta\"}");
        assertThat(betaInstance.statusCode()).as(betaInstance.body()).isEqualTo(201);
        String betaFiles = "/v1/instances/" + JSON.readTree(betaInstance.body()).path("id").asText() + "/files";
        assertThat(chowder.send("PUT", betaFiles + "/content", beta, "{\"path\":\"b.md\",\"content\":\"b\"}").statusCode()).isEqualTo(204);

        String body = "{\"path\":\"slow.md\",\"content\":\"written slowly\"}";
        List<java.net.Socket> stalled = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < HttpServerConfig.DEFAULT_MAX_FILE_TRANSFERS_PER_ORGANIZATION; i++) {
                stalled.add(stalledWrite(body));
            }
            // The stalled writes take their places as their requests reach the route: a moment after they were sent. A
            // read may take a place first, and a write then be refused (429): that one is sent again.
            HttpResponse<String> refused = chowder.send("GET", files + "/content?path=read-me.md", key, null);
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (refused.statusCode() == 200 && System.nanoTime() - deadline < 0) {
                for (int i = 0; i < stalled.size(); i++) {
                    if (stalled.get(i).getInputStream().available() > 0) {
                        stalled.get(i).close();
                        stalled.set(i, stalledWrite(body));
                    }
                }
                Thread.sleep(20);
                refused = chowder.send("GET", files + "/content?path=read-me.md", key, null);
            }
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(JSON.readTree(refused.body()).path("detail").asText()).contains("4 file transfers under way")
                    .contains("CHOWDER_MAX_FILE_TRANSFERS_PER_ORGANIZATION");
            // A download streams, holding no file; a listing holds none either: both go on. So do another organization's transfers.
            assertThat(chowder.send("GET", files + "/download?path=read-me.md", key, null).statusCode()).isEqualTo(200);
            assertThat(chowder.send("GET", files, key, null).statusCode()).isEqualTo(200);
            HttpResponse<String> theirs = chowder.send("GET", betaFiles + "/content?path=b.md", beta, null);
            assertThat(theirs.statusCode()).as(theirs.body()).isEqualTo(200);

            java.net.Socket finished = stalled.removeFirst();
            finished.getOutputStream().write(body.substring(10).getBytes(UTF_8));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(finished.getInputStream(), UTF_8)).readLine();
            assertThat(status).isEqualTo("HTTP/1.1 204 No Content");
            finished.close();
            // Its place was given back before its answer was sent.
            HttpResponse<String> read = chowder.send("GET", files + "/content?path=read-me.md", key, null);
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
            assertThat(JSON.readTree(read.body()).path("content").asText()).isEqualTo("hello");
        } finally {
            for (java.net.Socket socket : stalled) {
                socket.close();
            }
        }
    }

}
