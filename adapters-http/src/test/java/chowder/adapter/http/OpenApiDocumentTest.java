package chowder.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The OpenAPI document served at /openapi.json: valid, and describing exactly the registered routes. */
class OpenApiDocumentTest extends ApiTest {
    @Test
    void theOpenApiDocumentIsValidOpenApi31() throws Exception {
        HttpResponse<String> document = send("GET", "/openapi.json", null, null);
        assertThat(document.statusCode()).isEqualTo(200);
        assertThat(document.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(document.body(), null, options);
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
        assertThat(parsed.getOpenAPI().getPaths()).isNotEmpty();
    }

    @Test
    void theOpenApiDocumentDescribesExactlyTheRegisteredRoutes() throws Exception {
        JsonNode paths = JSON.readTree(send("GET", "/openapi.json", null, null).body()).path("paths");
        java.util.Set<String> documented = new java.util.TreeSet<>();
        paths.properties().forEach(path -> path.getValue().properties().stream()
                .map(java.util.Map.Entry::getKey)
                .filter(method -> !method.equals("parameters"))
                .forEach(method -> documented.add(method.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey())));
        assertThat(api.routes()).hasSizeGreaterThan(20);
        assertThat(documented).as("documented routes").containsExactlyInAnyOrderElementsOf(api.routes());
    }

    @Test
    void theWorkspaceFileRoutesAreTheHostedOnesAndOnlyDeleteIsAnExtension() throws Exception {
        assertThat(extensionsUnder("/v1/instances/{id}/files")).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                "GET /v1/instances/{id}/files", false,
                "GET /v1/instances/{id}/files/content", false,
                "PUT /v1/instances/{id}/files/content", false,
                "GET /v1/instances/{id}/files/download", false,
                "POST /v1/instances/{id}/files/upload", false,
                "POST /v1/instances/{id}/files/move", false,
                "DELETE /v1/instances/{id}/files", true));
    }

    @Test
    void theSkillRoutesAreTheHostedOnesAndOnlyDeleteIsAnExtension() throws Exception {
        assertThat(extensionsUnder("/v1/instances/{id}/skills")).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                "GET /v1/instances/{id}/skills", false,
                "POST /v1/instances/{id}/skills/install", false,
                "GET /v1/instances/{id}/skills/{skill_name}", false,
                "PATCH /v1/instances/{id}/skills/{skill_name}", false,
                "DELETE /v1/instances/{id}/skills/{skill_name}", true));
    }

    /** For each documented "METHOD path" under {@code prefix}: whether it is marked x-chowder-extension. */
    private java.util.Map<String, Boolean> extensionsUnder(String prefix) throws Exception {
        JsonNode paths = JSON.readTree(send("GET", "/openapi.json", null, null).body()).path("paths");
        java.util.Map<String, Boolean> extension = new java.util.TreeMap<>();
        paths.properties().stream().filter(path -> path.getKey().startsWith(prefix))
                .forEach(path -> path.getValue().properties().stream().filter(method -> !method.getKey().equals("parameters"))
                        .forEach(method -> extension.put(method.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey(),
                                method.getValue().path("x-chowder-extension").asBoolean(false))));
        return extension;
    }
}
