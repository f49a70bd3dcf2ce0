package chowder.e2e;

import chowder.e2e.ChowderApi.TimedLine;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The data lines and event types of a stream, and when each text delta arrived. */
record StreamedEvents(List<String> types, List<String> data, List<Instant> deltaArrivals, String deltaText) {
    static StreamedEvents of(List<TimedLine> lines) {
        List<String> types = new ArrayList<>();
        List<String> data = new ArrayList<>();
        List<Instant> deltaArrivals = new ArrayList<>();
        StringBuilder deltaText = new StringBuilder();
        for (TimedLine line : lines) {
            if (line.line().startsWith("event: ")) {
                types.add(line.line().substring("event: ".length()));
            } else if (line.line().startsWith("data: ")) {
                String payload = line.line().substring("data: ".length());
                data.add(payload);
                if (!payload.equals("[DONE]")) {
                    JsonNode event = ChowderApi.json(payload);
                    if (event.path("type").asText().equals("response.output_text.delta")) {
                        deltaArrivals.add(line.readAt());
                        deltaText.append(event.path("delta").asText());
                    }
                }
            }
        }
        return new StreamedEvents(types, data, deltaArrivals, deltaText.toString());
    }
}
