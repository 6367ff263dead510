package io.planstream.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;

/** Version 2 of {@link PlanV1}: adds a nullable {@code area} with a default, the compatible way to evolve. */
public final class PlanV2 extends SpecificRecordBase {

    public static final Schema SCHEMA$ = new Schema.Parser().parse("""
            {"type":"record","name":"PlanV2","namespace":"io.planstream.schemas.serde",
             "aliases":["io.planstream.schemas.serde.PlanV1"],
             "fields":[
               {"name":"id","type":{"type":"string","avro.java.string":"String"}},
               {"name":"rooms","type":"int"},
               {"name":"area","type":["null","double"],"default":null}]}""");

    private String id;
    private int rooms;
    private Double area;

    public PlanV2() {
    }

    public PlanV2(String id, int rooms, Double area) {
        this.id = id;
        this.rooms = rooms;
        this.area = area;
    }

    public String getId() {
        return id;
    }

    public int getRooms() {
        return rooms;
    }

    public Double getArea() {
        return area;
    }

    @Override
    public Schema getSchema() {
        return SCHEMA$;
    }

    @Override
    public Object get(int field) {
        return switch (field) {
            case 0 -> id;
            case 1 -> rooms;
            case 2 -> area;
            default -> throw new IndexOutOfBoundsException("PlanV2 has no field " + field);
        };
    }

    @Override
    public void put(int field, Object value) {
        switch (field) {
            case 0 -> id = (String) value;
            case 1 -> rooms = (Integer) value;
            case 2 -> area = (Double) value;
            default -> throw new IndexOutOfBoundsException("PlanV2 has no field " + field);
        }
    }
}
