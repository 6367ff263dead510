package io.planstream.app.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.planstream.ingest.generate.FloorPlanGenerator;

/**
 * The room programmes (room category -&gt; count) of generated plans, read from the generator's
 * {@code attributes.jsonl}: the ground truth that retrieval is scored against. A line's {@code file}
 * names the PNG relative to the folder; its {@code rooms} object holds the counts, and a {@code total}
 * key there, if any, is not a category and is left out.
 */
public final class PlanProgrammes {

    static final String TOTAL = "total";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path attributes;
    private final Map<String, Map<String, Integer>> byFile;

    private PlanProgrammes(Path attributes, Map<String, Map<String, Integer>> byFile) {
        this.attributes = attributes;
        this.byFile = byFile;
    }

    /** @return whether {@code dir} holds an attributes file to read */
    public static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve(FloorPlanGenerator.ATTRIBUTES_FILE));
    }

    /** @throws IOException if the file is missing or a line is not a plan's attributes */
    public static PlanProgrammes read(Path dir) throws IOException {
        Path file = dir.resolve(FloorPlanGenerator.ATTRIBUTES_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + " has no " + FloorPlanGenerator.ATTRIBUTES_FILE
                    + ": retrieval needs each plan's rooms");
        }
        Map<String, Map<String, Integer>> byFile = new HashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                if (!line.isBlank()) {
                    parse(file, lineNumber, line, byFile);
                }
            }
        }
        return new PlanProgrammes(file, byFile);
    }

    private static void parse(Path file, int lineNumber, String line, Map<String, Map<String, Integer>> byFile)
            throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            throw new IOException(file + " line " + lineNumber + " is not JSON: " + e.getMessage(), e);
        }
        JsonNode name = node.get("file");
        JsonNode rooms = node.get("rooms");
        if (name == null || !name.isTextual() || rooms == null || !rooms.isObject()) {
            throw new IOException(file + " line " + lineNumber + " needs a \"file\" name and a \"rooms\" object");
        }
        Map<String, Integer> programme = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : rooms.properties()) {
            if (e.getKey().equals(TOTAL)) {
                continue;
            }
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new IOException(file + " line " + lineNumber + ": rooms." + e.getKey()
                        + " must be a count >= 0, got " + e.getValue());
            }
            programme.put(e.getKey(), e.getValue().asInt());
        }
        byFile.put(name.asText(), Map.copyOf(programme));
    }

    /**
     * @param files plans' paths relative to the folder, as in {@link RplanFolder.Plans#files()}
     * @return their programmes, in the same order
     * @throws IOException naming the first plan the attributes do not describe
     */
    public List<Map<String, Integer>> of(List<String> files) throws IOException {
        List<Map<String, Integer>> out = new ArrayList<>(files.size());
        for (String f : files) {
            Map<String, Integer> p = byFile.get(f);
            if (p == null) {
                throw new IOException(attributes + " has no line for " + f);
            }
            out.add(p);
        }
        return out;
    }
}
