package io.planstream.app.openapi;

import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import io.planstream.platform.http.ApiError;

/**
 * Adds the error answers to every operation of the published contract ({@code /q/openapi}): each
 * refusal of the API is the same JSON body, {@code {"status", "error", "message"}} (see the upload and
 * query APIs in the README), and which statuses an operation can answer follows from its method and
 * path. Written once here rather than as the same annotations on every resource method.
 */
public class ErrorResponsesFilter implements OASFilter {

    static final String SCHEMA = "ApiError";

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getComponents() == null) {
            api.setComponents(OASFactory.createComponents());
        }
        api.getComponents().addSchema(SCHEMA, OASFactory.createSchema()
                .type(java.util.List.of(Schema.SchemaType.OBJECT))
                .description("Every refusal: the HTTP status, a stable error code and a message that names what was wrong.")
                .addProperty("status", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.INTEGER)))
                .addProperty("error", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING))
                        .description("e.g. invalid_query, invalid_filter, not_found, version_not_served, index_not_ready"))
                .addProperty("message", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING))));
        if (api.getPaths() == null || api.getPaths().getPathItems() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path : api.getPaths().getPathItems().entrySet()) {
            if (path.getKey().startsWith("/q/")) {
                continue;
            }
            path.getValue().getOperations().forEach((method, op) -> addErrors(path.getKey(), method, op));
        }
    }

    private static void addErrors(String path, PathItem.HttpMethod method, Operation op) {
        if (op.getResponses() == null) {
            op.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses r = op.getResponses();
        error(r, "400", "a parameter, filter, body or id is invalid; the message names it");
        error(r, "401", "access control is on and the request carries no known API key");
        error(r, "403", "the API key's role does not allow this request");
        if (path.contains("{")) {
            error(r, "404", "no such image or model version");
        }
        if (path.startsWith("/search/vector") || path.endsWith("/vector") || path.endsWith("/similar")) {
            error(r, "409", "the model version asked for is not served by this replica");
        }
        if (method == PathItem.HttpMethod.POST) {
            error(r, "413", "the body is larger than the server takes");
        }
        error(r, "503", "Kafka or the index is not ready yet (Retry-After says when to try again)");
    }

    private static void error(APIResponses responses, String status, String description) {
        if (responses.hasAPIResponse(status)) {
            return;
        }
        responses.addAPIResponse(status, OASFactory.createAPIResponse().description(description)
                .content(OASFactory.createContent().addMediaType("application/json", OASFactory.createMediaType()
                        .schema(OASFactory.createSchema().ref(SCHEMA)))));
    }
}
