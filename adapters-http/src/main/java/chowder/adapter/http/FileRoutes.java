package chowder.adapter.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import chowder.application.port.in.ManageWorkspaceFilesUseCase;
import chowder.application.port.out.WorkspaceFilesPort.Entry;
import chowder.application.port.out.WorkspaceFilesPort.Listing;
import chowder.application.port.out.WorkspaceFilesPort.OpenFile;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import chowder.domain.WorkspacePath;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;

/**
 * Workspace files of provisioned instances (the hosted API's {@code files} permission): list, read and
 * write text as JSON, download and upload raw bytes, move, delete. Paths travel in the {@code path}
 * query parameter (or JSON fields), relative to the workspace.
 */
final class FileRoutes {
    static final String FILES = "/v1/instances/{id}/files";
    static final String CONTENT = FILES + "/content";
    static final String READ = FILES + "/read";
    static final String WRITE = FILES + "/write";
    static final String MOVE = FILES + "/move";

    private final ManageWorkspaceFilesUseCase files;
    private final JsonBodies bodies;
    private final ObjectMapper json;

    FileRoutes(ManageWorkspaceFilesUseCase files, JsonBodies bodies, ObjectMapper json) {
        this.files = files;
        this.bodies = bodies;
        this.json = json;
    }

    void list(Context ctx) {
        Listing listing = files.list(Callers.of(ctx), instanceId(ctx), WorkspacePath.of(ctx.queryParam("path"), "path", true));
        ObjectNode answer = json.createObjectNode().put("path", listing.path().value());
        ArrayNode entries = answer.putArray("entries");
        listing.entries().forEach(entry -> entries.add(entry(entry)));
        answer.put("truncated", listing.truncated());
        ctx.json(answer);
    }

    void download(Context ctx) throws IOException {
        try (OpenFile file = files.open(Callers.of(ctx), instanceId(ctx), path(ctx.queryParam("path"), "path"))) {
            ctx.contentType("application/octet-stream")
                    .header("Content-Disposition", "attachment; filename*=UTF-8''" + attributeValue(file.entry().path().name()))
                    .header("Content-Length", Long.toString(file.entry().size()));
            file.content().transferTo(ctx.res().getOutputStream());
        }
    }

    void upload(Context ctx) throws IOException {
        if (ctx.req().getContentLengthLong() > files.maxFileBytes()) {
            throw new ChowderException(ErrorCode.PAYLOAD_TOO_LARGE, "Files are limited to " + files.maxFileBytes() + " bytes.");
        }
        WorkspacePath path = path(ctx.queryParam("path"), "path");
        try (InputStream content = ctx.req().getInputStream()) {
            ctx.json(entry(files.write(Callers.of(ctx), instanceId(ctx), path, content)));
        }
    }

    void read(Context ctx) throws IOException {
        try (OpenFile file = files.open(Callers.of(ctx), instanceId(ctx), path(ctx.queryParam("path"), "path"))) {
            String text;
            try {
                text = UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(file.content().readAllBytes())).toString();
            } catch (CharacterCodingException e) {
                throw ChowderException.validationFailed("The file is not UTF-8 text; download it from " + CONTENT.replace("{id}", "<id>") + " instead.");
            }
            ctx.json(entry(file.entry()).put("content", text));
        }
    }

    void write(Context ctx) {
        ObjectNode body = bodies.readObject(ctx);
        WorkspacePath path = path(JsonBodies.optionalString(body, "path"), "path");
        JsonNode content = body.get("content");
        if (content == null || !content.isTextual()) {
            throw ChowderException.validationFailed("content must be a string (the file's UTF-8 text).");
        }
        ctx.json(entry(files.write(Callers.of(ctx), instanceId(ctx), path, new ByteArrayInputStream(content.asText().getBytes(UTF_8)))));
    }

    void move(Context ctx) {
        ObjectNode body = bodies.readObject(ctx);
        WorkspacePath from = path(JsonBodies.optionalString(body, "from"), "from");
        WorkspacePath to = path(JsonBodies.optionalString(body, "to"), "to");
        ctx.json(entry(files.move(Callers.of(ctx), instanceId(ctx), from, to)));
    }

    void delete(Context ctx) {
        files.delete(Callers.of(ctx), instanceId(ctx), path(ctx.queryParam("path"), "path"));
        ctx.status(204);
    }

    private ObjectNode entry(Entry entry) {
        return json.createObjectNode()
                .put("path", entry.path().value())
                .put("name", entry.path().name())
                .put("type", entry.directory() ? "directory" : "file")
                .put("size", entry.size())
                .put("modified_at", entry.modifiedAt().toString());
    }

    /** A file name as an RFC 8187 {@code filename*} value: UTF-8, percent-encoded except attr-chars. */
    static String attributeValue(String name) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : name.getBytes(UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "!#$&+-.^_`|~".indexOf(c) >= 0)) {
                encoded.append(c);
            } else {
                encoded.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return encoded.toString();
    }

    private static WorkspacePath path(String raw, String field) {
        return WorkspacePath.of(raw, field, false);
    }

    private static InstanceId instanceId(Context ctx) {
        return InstanceId.parse(ctx.pathParam("id"));
    }
}
