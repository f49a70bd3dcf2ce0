package chowder.bench;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where a request goes: the upstream itself, or a proxy in front of it, with the headers that proxy needs. */
record Target(String name, String host, int port, String path, Map<String, String> headers) {
    Target {
        headers = new LinkedHashMap<>(headers);
    }

    String url() {
        return "http://" + host + ":" + port + path;
    }

    /** The request line and headers of a POST with a JSON body of this length. */
    byte[] postHead(int bodyLength) {
        StringBuilder head = new StringBuilder(256)
                .append("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Content-Length: ").append(bodyLength).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
