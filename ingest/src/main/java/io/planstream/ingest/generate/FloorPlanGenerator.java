package io.planstream.ingest.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planstream.ingest.image.Png;
import io.planstream.ingest.image.RoomCounts;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Draws synthetic floor plans as RPLAN rasters (256x256 RGBA: boundary, category, instance,
 * inside mask), with the ground truth they were drawn from.
 *
 * <p>Plans come from a seed alone, so a data set is reproducible byte for byte and any single
 * plan can be redrawn from the seed recorded in {@code attributes.jsonl}. The output is meant
 * for exercising ingestion, embeddings and search end to end where real RPLAN data cannot be
 * shipped; it imitates the format, not the statistics of real apartments.
 */
public final class FloorPlanGenerator {

    /** The fewest rooms the canvas and the generator's minimum room side always allow. */
    public static final int MIN_ROOMS = 3;
    /** The most rooms that still leave every room a side long enough for a door. */
    public static final int MAX_ROOMS = 9;
    /** Bulk runs are bounded (about 25 GB of PNGs); names have six digits, seven past 999999. */
    public static final int MAX_COUNT = 10_000_000;
    public static final String ATTRIBUTES_FILE = "attributes.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int minRooms;
    private final int maxRooms;

    /** Plans of {@value #MIN_ROOMS} to {@value #MAX_ROOMS} rooms; {@link #builder()} narrows the range. */
    public FloorPlanGenerator() {
        this(MIN_ROOMS, MAX_ROOMS);
    }

    private FloorPlanGenerator(int minRooms, int maxRooms) {
        this.minRooms = minRooms;
        this.maxRooms = maxRooms;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One plan; the same seed always gives the same plan and the same PNG bytes. */
    public GeneratedPlan generate(long seed) {
        PlanLayout layout = PlanLayout.draw(new SplittableRandom(seed), minRooms, maxRooms);
        RoomCounts rooms = layout.roomCounts();
        return new GeneratedPlan(seed, Png.encode(layout.paint()), layout.outline(), rooms, layout.area());
    }

    /**
     * Writes {@code plan-000000.png} ... and {@code attributes.jsonl} into {@code outDir},
     * creating it if needed and overwriting files of the same names. Plan {@code i} is drawn from
     * the {@code i}-th long of a {@link SplittableRandom} seeded with {@code seed}, and that
     * per-plan seed is recorded, so one plan can be redrawn with {@link #generate(long)}.
     *
     * @param count plans to write, 1..{@value #MAX_COUNT}
     * @param progress told after each plan
     * @throws IOException if a file cannot be written
     */
    public GenerationResult generate(int count, Path outDir, long seed, GenerationProgress progress)
            throws IOException {
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("count must be between 1 and " + MAX_COUNT + ", got " + count);
        }
        Objects.requireNonNull(outDir, "outDir");
        Objects.requireNonNull(progress, "progress");
        Files.createDirectories(outDir);
        Path attributes = outDir.resolve(ATTRIBUTES_FILE);
        SplittableRandom seeds = new SplittableRandom(seed);
        try (Writer out = Files.newBufferedWriter(attributes, StandardCharsets.UTF_8)) {
            for (int i = 0; i < count; i++) {
                long planSeed = seeds.nextLong();
                GeneratedPlan plan = generate(planSeed);
                String id = String.format("plan-%06d", i);
                String file = id + ".png";
                Files.write(outDir.resolve(file), plan.png());
                // "\n" rather than the platform separator, so the file is identical everywhere.
                out.write(JSON.writeValueAsString(attributes(plan, id, file)));
                out.write('\n');
                progress.planWritten(i + 1);
            }
        }
        return new GenerationResult(outDir, attributes, count, seed);
    }

    /** One line of attributes.jsonl; field order is fixed so that runs compare byte for byte. */
    static ObjectNode attributes(GeneratedPlan plan, String id, String file) {
        ObjectNode line = JSON.createObjectNode();
        line.put("file", file);
        line.put("id", id);
        line.put("seed", plan.seed());
        line.put("rooms_total", plan.roomsTotal());
        line.put("bedrooms", plan.bedrooms());
        ObjectNode rooms = line.putObject("rooms");
        plan.rooms().byCategory().forEach((category, n) -> rooms.put(category.key(), n));
        line.put("outline", plan.outline().key());
        line.put("area", plan.area());
        return line;
    }

    public static final class Builder {

        private int minRooms = MIN_ROOMS;
        private int maxRooms = MAX_ROOMS;

        private Builder() {
        }

        /** Fewest rooms per plan, at least {@value FloorPlanGenerator#MIN_ROOMS}. */
        public Builder optMinRooms(int minRooms) {
            this.minRooms = minRooms;
            return this;
        }

        /** Most rooms per plan, at most {@value FloorPlanGenerator#MAX_ROOMS}. */
        public Builder optMaxRooms(int maxRooms) {
            this.maxRooms = maxRooms;
            return this;
        }

        public FloorPlanGenerator build() {
            if (minRooms < MIN_ROOMS || maxRooms > MAX_ROOMS || minRooms > maxRooms) {
                throw new IllegalArgumentException("need " + MIN_ROOMS + " <= minRooms <= maxRooms <= " + MAX_ROOMS
                        + ", got minRooms=" + minRooms + ", maxRooms=" + maxRooms);
            }
            return new FloorPlanGenerator(minRooms, maxRooms);
        }
    }
}
