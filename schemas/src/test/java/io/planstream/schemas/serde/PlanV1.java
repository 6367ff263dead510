package io.planstream.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Version 1 of a small test record, written by hand because the build generates classes only for
 * the production schemas. Its alias lets Avro resolve it against {@link PlanV2}, which plays the
 * same record one version later.
 */
public final class PlanV1 extends SpecificRecordBase {

    public static final Schema SCHEMA$ = new Schema.Parser().parse("""
            {"type":"record","name":"PlanV1","namespace":"io.planstream.schemas.serde",
             "aliases":["io.planstream.schemas.serde.PlanV2"],
             "fields":[
               {"name":"id","type":{"type":"string","avro.java.string":"String"}},
               {"name":"rooms","type":"int"}]}""");

    private String id;
    private int rooms;

    public PlanV1() {
    }

    public PlanV1(String id, int rooms) {
        this.id = id;
        this.rooms = rooms;
    }

    public String getId() {
        return id;
    }

    public int getRooms() {
        return rooms;
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
            default -> throw new IndexOutOfBoundsException("PlanV1 has no field " + field);
        };
    }

    @Override
    public void put(int field, Object value) {
        switch (field) {
            case 0 -> id = (String) value;
            case 1 -> rooms = (Integer) value;
            default -> throw new IndexOutOfBoundsException("PlanV1 has no field " + field);
        }
    }
}
