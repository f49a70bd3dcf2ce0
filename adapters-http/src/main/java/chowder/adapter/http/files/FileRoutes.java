package chowder.adapter.http.files;

import static java.nio.charset.StandardCharsets.UTF_8;

import chowder.adapter.http.BearerAuthentication;
import chowder.adapter.http.JsonBodies;
import chowder.application.port.FileEntry;
import chowder.application.port.FileListing;
import chowder.application.port.OpenFile;
import chowder.application.port.in.ManageWorkspaceFilesUseCase;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import chowder.domain.WorkspacePath;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.time.temporal.ChronoUnit;

/**
 * Workspace files of provisioned instances, as the hosted API has them (permission {@code files}): list,
 * read and write text as JSON, download raw bytes, upload a multipart form, move. Delete is an extension.
 * Paths are relative to the workspace; {@code .} or nothing names the workspace itself.
 */
public final class FileRoutes {
    private static final String FILES = "/v1/instances/{id}/files";
    private static final String CONTENT = FILES + "/content";
    private static final String DOWNLOAD = FILES + "/download";
    private static final String UPLOAD = FILES + "/upload";
    private static final String MOVE = FILES + "/move";

    private final ManageWorkspaceFilesUseCase files;
    private final FileTransfers transfers;
    private final FileUpload uploads;
    private final JsonBodies bodies;
    private final ObjectMapper json;

    /** @param maxTransfersPerOrganization reads and writes of content and uploads one organization may have under way at once */
    public FileRoutes(ManageWorkspaceFilesUseCase files, JsonBodies bodies, ObjectMapper json, int maxTransfersPerOrganization) {
        this.files = files;
        this.bodies = bodies;
        this.json = json;
        this.transfers = new FileTransfers(maxTransfersPerOrganization);
        this.uploads = new FileUpload(files, transfers);
    }

    /** Adds its routes to Javalin's. */
    public void register(RoutesConfig routes) {
        routes.get(FILES, this::list);
        routes.delete(FILES, this::delete);
        routes.get(CONTENT, this::read);
        routes.put(CONTENT, this::write);
        routes.get(DOWNLOAD, this::download);
        routes.post(UPLOAD, uploads::upload);
        routes.post(MOVE, this::move);
    }

    void list(Context ctx) {
        FileListing listing = files.list(BearerAuthentication.of(ctx), instanceId(ctx), WorkspacePath.of(ctx.queryParam("path"), "path", true));
        ObjectNode answer = json.createObjectNode().put("path", shown(listing.path()));
        ArrayNode entries = answer.putArray("entries");
        listing.entries().forEach(entry -> entries.add(entry(entry)));
        // Not in the hosted answer: tells a client that CHOWDER_MAX_LIST_ENTRIES cut the listing short.
        answer.put("truncated", listing.truncated());
        ctx.json(answer);
    }

    void read(Context ctx) throws IOException {
        WorkspacePath path = path(ctx.queryParam("path"), "path");
        try (OpenFile file = files.open(BearerAuthentication.of(ctx), instanceId(ctx), path);
                FileTransfers.Transfer transfer = transfers.begin(BearerAuthentication.of(ctx))) {
            String text;
            try {
                text = UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(readLimited(file.content()))).toString();
            } catch (CharacterCodingException e) {
                throw ChowderException.validationFailed("The file is not UTF-8 text; download it from " + DOWNLOAD.replace("{id}", "<id>") + " instead.");
            }
            // Written here, not after the handler returns as ctx.json would: the transfer holds the text until the client has it.
            ctx.contentType(ContentType.APPLICATION_JSON);
            json.writer().without(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                    .writeValue(ctx.outputStream(), json.createObjectNode().put("path", path.value()).put("content", text));
        }
    }

    void write(Context ctx) {
        files.requireAccess(BearerAuthentication.of(ctx), instanceId(ctx));
        // Before the body is read: it is the file, a few times over once parsed.
        try (FileTransfers.Transfer transfer = transfers.begin(BearerAuthentication.of(ctx))) {
            ObjectNode body = bodies.readContentObject(ctx);
            WorkspacePath path = path(required(body, "path"), "path");
            String content = required(body, "content");
            // A character is at least one UTF-8 byte: longer text is over the limit before its bytes are made.
            if (content.length() > files.maxFileBytes()) {
                throw tooLarge(files.maxFileBytes());
            }
            files.write(BearerAuthentication.of(ctx), instanceId(ctx), path, new ByteArrayInputStream(content.getBytes(UTF_8)));
        }
        ctx.status(204);
    }

    void download(Context ctx) throws IOException {
        // Not a transfer counted per organization: the file goes out 8 KiB at a time, never held whole.
        try (OpenFile file = files.open(BearerAuthentication.of(ctx), instanceId(ctx), path(ctx.queryParam("path"), "path"))) {
            String name = file.entry().path().name();
            String type = URLConnection.getFileNameMap().getContentTypeFor(name);
            ctx.contentType(type == null ? "application/octet-stream" : type)
                    .header("Content-Disposition", contentDisposition(name))
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Content-Length", Long.toString(file.entry().size()));
            // The length was announced from the size seen at open; a file the agent grows meanwhile is cut there.
            copy(file.content(), ctx.res().getOutputStream(), file.entry().size());
        }
    }

    void move(Context ctx) {
        ObjectNode body = bodies.readObject(ctx);
        WorkspacePath source = path(required(body, "source"), "source");
        WorkspacePath destination = path(required(body, "destination"), "destination");
        files.move(BearerAuthentication.of(ctx), instanceId(ctx), source, destination);
        ctx.status(204);
    }

    /** An extension: the hosted API has no delete. */
    void delete(Context ctx) {
        files.delete(BearerAuthentication.of(ctx), instanceId(ctx), path(ctx.queryParam("path"), "path"));
        ctx.status(204);
    }

    /** An entry as the hosted API lists it; mod_time in whole seconds, UTC. */
    private ObjectNode entry(FileEntry entry) {
        return json.createObjectNode()
                .put("name", entry.path().name())
                .put("path", entry.path().value())
                .put("is_dir", entry.directory())
                .put("size", entry.size())
                .put("mod_time", entry.modifiedAt().truncatedTo(ChronoUnit.SECONDS).toString())
                .put("permissions", entry.permissions());
    }

    /** The workspace itself is {@code .}, as the hosted API names it. */
    private static String shown(WorkspacePath path) {
        return path.isRoot() ? "." : path.value();
    }

    /**
     * {@code attachment; filename="<name>"} as the hosted API sends it; a name that is not plain ASCII also
     * gets an RFC 8187 {@code filename*} (UTF-8, percent-encoded) and an ASCII stand-in for old clients.
     */
    static String contentDisposition(String name) {
        StringBuilder fallback = new StringBuilder();
        StringBuilder encoded = new StringBuilder();
        boolean plain = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean safe = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
            plain &= safe;
            fallback.append(safe ? c : '_');
        }
        if (plain) {
            return "attachment; filename=\"" + name + "\"";
        }
        for (byte b : name.getBytes(UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "!#$&+-.^_`|~".indexOf(c) >= 0)) {
                encoded.append(c);
            } else {
                encoded.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
    }

    static ChowderException tooLarge(long maxFileBytes) {
        return new ChowderException(ErrorCode.PAYLOAD_TOO_LARGE, "Files are limited to " + maxFileBytes + " bytes.");
    }

    /** A required string field of a JSON body: missing, null or another type fails validation, naming it. */
    private static String required(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual()) {
            throw ChowderException.validationFailed(field + " is required and must be a string.");
        }
        return value.asText();
    }

    static WorkspacePath path(String raw, String field) {
        return WorkspacePath.of(raw, field, false);
    }

    static InstanceId instanceId(Context ctx) {
        return InstanceId.parse(ctx.pathParam("id"));
    }

    /** The whole file, but never more than the file limit (it may have grown since it was opened). */
    private byte[] readLimited(InputStream content) throws IOException {
        long limit = files.maxFileBytes();
        byte[] bytes = content.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 16));
        if (bytes.length > limit) {
            throw tooLarge(limit);
        }
        return bytes;
    }

    private static void copy(InputStream from, OutputStream to, long bytes) throws IOException {
        byte[] buffer = new byte[8192];
        long left = bytes;
        while (left > 0) {
            int read = from.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                return;
            }
            to.write(buffer, 0, read);
            left -= read;
        }
    }
}
