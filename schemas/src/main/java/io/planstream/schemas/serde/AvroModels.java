package io.planstream.schemas.serde;

import org.apache.avro.specific.SpecificData;

/** The Avro data model of a generated record class. */
final class AvroModels {

    private AvroModels() {
    }

    /**
     * A model that loads record classes with the class loader of {@code type} and carries the class's own
     * logical-type conversions (timestamps as Instant). The class's static model resolves record classes
     * through whichever loader Avro itself came from, which under a framework with its own class loaders
     * (Quarkus in tests and dev mode) yields instances of a twin class that cannot be cast.
     */
    static SpecificData forClass(Class<?> type) {
        SpecificData model = new SpecificData(type.getClassLoader());
        SpecificData.getForClass(type).getConversions().forEach(model::addLogicalTypeConversion);
        return model;
    }
}
