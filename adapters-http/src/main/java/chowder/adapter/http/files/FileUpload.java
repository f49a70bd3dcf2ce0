package chowder.adapter.http.files;

import chowder.adapter.http.BearerAuthentication;
import chowder.adapter.http.UnreadableRequestBody;
import chowder.application.port.in.ManageWorkspaceFilesUseCase;
import chowder.domain.ChowderException;
import chowder.domain.WorkspacePath;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.javalin.http.util.MultipartUtil;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/** The upload route of the workspace files: a multipart form, parsed under the file limit and never kept once answered. */
final class FileUpload {
    /** Room for the multipart framing and the {@code path} part around a file of the largest size. */
    private static final long MULTIPART_OVERHEAD_BYTES = 64 * 1024;
    /** Upload parts up to this size stay in memory; larger ones are spooled to {@code java.io.tmpdir} (up to the file limit). */
    private static final int IN_MEMORY_PART_BYTES = 64 * 1024;

    private final ManageWorkspaceFilesUseCase files;
    private final FileTransfers transfers;

    FileUpload(ManageWorkspaceFilesUseCase files, FileTransfers transfers) {
        this.files = files;
        this.transfers = transfers;
    }

    /**
     * A multipart form with a {@code path} field and a {@code file} part. Jetty parses it under the file limit
     * (larger parts go to disk, never to memory), so a declared length over it is refused before reading.
     */
    void upload(Context ctx) throws IOException {
        // Before anything is parsed or spooled to disk: a key that may not write here costs no upload.
        files.requireAccess(BearerAuthentication.of(ctx), FileRoutes.instanceId(ctx));
        long maxFileBytes = files.maxFileBytes();
        if (ctx.req().getContentLengthLong() > maxFileBytes + MULTIPART_OVERHEAD_BYTES) {
            throw FileRoutes.tooLarge(maxFileBytes);
        }
        String contentType = ctx.contentType();
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw ChowderException.invalidRequest("The body must be multipart/form-data with a path field and a file part.");
        }
        try (FileTransfers.Transfer transfer = transfers.begin(BearerAuthentication.of(ctx))) {
            receive(ctx, maxFileBytes);
        }
    }

    private void receive(Context ctx, long maxFileBytes) throws IOException {
        ctx.req().setAttribute(MultipartUtil.MULTIPART_CONFIG_ATTRIBUTE, new MultipartConfigElement(
                System.getProperty("java.io.tmpdir"), maxFileBytes, maxFileBytes + MULTIPART_OVERHEAD_BYTES, IN_MEMORY_PART_BYTES));
        try {
            String rawPath;
            UploadedFile file;
            try {
                rawPath = ctx.formParam("path");
                file = ctx.uploadedFile("file");
            } catch (Exception e) {
                // Javalin rethrows Jetty's checked ServletException undeclared.
                throw multipartFailure(ctx, e, maxFileBytes);
            }
            if (rawPath == null) {
                throw ChowderException.invalidRequest("path is required: a form field naming the file inside the workspace, such as assets/logo.png.");
            }
            if (file == null) {
                throw ChowderException.invalidRequest("file is required: a form part with a filename holding the file's bytes.");
            }
            WorkspacePath path = FileRoutes.path(rawPath, "path");
            try (InputStream content = file.content()) {
                files.write(BearerAuthentication.of(ctx), FileRoutes.instanceId(ctx), path, content);
            }
            ctx.status(204);
        } finally {
            deleteSpooledParts(ctx);
        }
    }

    /** Parts spooled to disk are removed as soon as the upload is done, whatever became of it. */
    private static void deleteSpooledParts(Context ctx) {
        try {
            for (Part part : ctx.req().getParts()) {
                part.delete();
            }
        } catch (Exception e) {
            // the form never parsed (nothing was kept), or a part is gone already
        }
    }

    /**
     * Jetty refuses a malformed form as a "bad multipart" 400 whose causes say why; only its messages tell a
     * form over the limits ("max file size exceeded", "max length exceeded") from a broken one. Jetty closes
     * the connection after a failed form: the answer says so, or the client would send its next request into
     * a closing connection.
     */
    private static RuntimeException multipartFailure(Context ctx, Exception failure, long maxFileBytes) {
        ctx.header("Connection", "close");
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TimeoutException) {
                // The body stopped arriving, or came too slowly: not a malformed form.
                return new UnreadableRequestBody(failure);
            }
            String message = String.valueOf(cause.getMessage());
            if (message.startsWith("max file size exceeded") || message.startsWith("max length exceeded")) {
                return FileRoutes.tooLarge(maxFileBytes);
            }
        }
        return ChowderException.invalidRequest("The body is not a valid multipart/form-data form.");
    }
}
